// The one `breakwater` command. Subcommands are a typed registry; each parses its own flags.
import { UsageError } from './args.ts';

// Each command's module is loaded only when it runs: `analyze` need not load the server.
const COMMANDS: Record<string, { run: (argv: string[]) => Promise<void>; help: string }> = {
  server: { run: async (a) => (await import('./commands/server.ts')).serverCommand(a), help: 'run the control plane (REST, agent and deploy APIs)' },
  admin: { run: async (a) => (await import('./commands/admin.ts')).adminCommand(a), help: 'admin init --json | backup --out F | restore --from F: first credentials; SQLite backups' },
  agent: { run: async (a) => (await import('./commands/agent.ts')).agentCommand(a), help: 'agent enroll | run: register this machine, then watch its traffic' },
  collector: { run: async (a) => (await import('./commands/collector.ts')).collectorCommand(a), help: 'collector enroll | run: register a flow collector, then detect on NetFlow/IPFIX/sFlow' },
  config: { run: async (a) => (await import('./commands/config.ts')).configCommand(a), help: 'config check [--server F] [--agent F] [--collector F]: check config files as each program reads them' },
  analyze: { run: async (a) => (await import('./commands/analyze.ts')).analyzeCommand(a), help: 'analyze FILE.pcap [--json]: forensic report of a capture (- reads stdin)' },
};

function usage(): string {
  return `usage: breakwater <command> [flags]\n\ncommands:\n${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.help}`).join('\n')}\n`;
}

const [name, ...argv] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || name === 'help') {
  process.stdout.write(usage());
  process.exit(name ? 0 : 2);
}
const cmd = COMMANDS[name];
if (!cmd) {
  process.stderr.write(`breakwater: unknown command ${JSON.stringify(name)}\n${usage()}`);
  process.exit(2);
}
try {
  await cmd.run(argv);
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`breakwater ${name}: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`breakwater ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
