// `breakwater config check`: the server's, the agent's and the collector's config files checked
// exactly as each would read them at start, every problem named by file and key.
import { existsSync } from 'node:fs';
import { parseFlags, UsageError } from '../args.ts';

const USAGE = `usage: breakwater config check [--server FILE] [--agent FILE] [--collector FILE]

Checks each named file as that program reads it at start (unknown keys, values out of range,
file mode where it holds a credential). Without a flag it checks whichever of
/etc/breakwater/server.json, agent.json and collector.json exist. Exit status 0 when every
file checked is valid, 1 otherwise.`;

type Kind = 'server' | 'agent' | 'collector';

const CHECKS: Record<Kind, (path: string) => Promise<string>> = {
  server: async (path) => {
    const { readServerConfigFile, resolveConfig } = await import('@breakwater/server');
    const c = resolveConfig(readServerConfigFile(path));
    return `listens on ${c.host}:${c.port}, storage ${c.databaseUrl ? 'PostgreSQL' : `SQLite in ${c.dataDir}`}`;
  },
  agent: async (path) => {
    const { loadAgentConfig } = await import('@breakwater/agent');
    const c = loadAgentConfig(path);
    return `node ${c.node_uuid} on ${c.interface}, server ${c.server_url}`;
  },
  collector: async (path) => {
    const { loadCollectorConfig } = await import('@breakwater/collector');
    const c = loadCollectorConfig(path);
    return `collector ${c.node_uuid}, server ${c.server_url}`;
  },
};

export async function configCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'check') throw new UsageError(`unknown config command ${JSON.stringify(sub ?? '')}; allowed: check\n\n${USAGE}`);
  const { values } = parseFlags(rest, { server: { type: 'string' }, agent: { type: 'string' }, collector: { type: 'string' }, help: { type: 'boolean' } }, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const named = (['server', 'agent', 'collector'] as const).filter((k) => values[k] !== undefined).map((k) => [k, values[k]!] as const);
  const files = named.length > 0 ? named : (['server', 'agent', 'collector'] as const).map((k) => [k, `/etc/breakwater/${k}.json`] as const).filter(([, p]) => existsSync(p));
  if (files.length === 0) throw new UsageError(`no config file to check: none of /etc/breakwater/server.json, agent.json, collector.json exists; name one with --server, --agent or --collector\n\n${USAGE}`);
  let failed = 0;
  for (const [kind, path] of files) {
    try {
      const summary = await CHECKS[kind](path);
      process.stdout.write(`${path}: ok (${kind}: ${summary})\n`);
    } catch (err) {
      failed++;
      // Every loader names the file itself; the server's value checks name the key as "config KEY".
      const message = (err as Error).message.replace(/^config /, `${path}: `);
      process.stdout.write(`${message.startsWith(path) ? message : `${path}: ${message}`}\n`);
    }
  }
  if (failed > 0) process.exitCode = 1;
}
