import { resolve } from 'node:path';
import { AgentConfigError, createAgent, enroll, execTuned, kernelCounters, loadAgentConfig, nftFirewall, tcpdumpCapture } from '@breakwater/agent';
import { parseFlags, UsageError } from '../args.ts';

const DEFAULT_CONFIG = '/etc/breakwater/agent.json';
const USAGE = `usage: breakwater agent enroll --server URL --deploy-token TOKEN [--name NAME] [--interface IF] [--ip ADDR] [--config PATH] [--force] [--allow-insecure-http]
       breakwater agent run [--config PATH]

enroll registers this machine (POST /api/deploy) and writes the node key to the config
(default ${DEFAULT_CONFIG}, readable by root only). A plain http:// server other than
loopback is refused unless --allow-insecure-http says so. run watches the interface, detects
attacks and reports to the server; it needs root (packet capture).`;

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return (JSON.parse(await readFile(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export async function agentCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'enroll') {
      const { values } = parseFlags(rest, {
        server: { type: 'string' }, 'deploy-token': { type: 'string' }, name: { type: 'string' }, interface: { type: 'string' },
        ip: { type: 'string' }, config: { type: 'string' }, force: { type: 'boolean' }, 'allow-insecure-http': { type: 'boolean' },
      }, USAGE);
      if (!values.server) throw new UsageError(`--server is required\n\n${USAGE}`);
      if (!values['deploy-token']) throw new UsageError(`--deploy-token is required\n\n${USAGE}`);
      const path = values.config ?? DEFAULT_CONFIG;
      const cfg = await enroll({
        server: values.server, deployToken: values['deploy-token'], configPath: path, name: values.name, interface: values.interface, ip: values.ip, force: values.force,
        allowInsecureHttp: values['allow-insecure-http'],
      });
      process.stdout.write(`enrolled as node ${cfg.node_uuid}; config written to ${path}\n`);
      return;
    }
    if (sub === 'run') {
      const { values } = parseFlags(rest, { config: { type: 'string' } }, USAGE);
      // Once, before anything is loaded: the same process again with V8 and malloc tuned for a
      // long-lived small footprint (agent-launcher.ts says which and why).
      execTuned();
      // This host's own capture (tcpdump), firewall (nftables) and counters (/sys, /proc).
      const configPath = resolve(values.config ?? DEFAULT_CONFIG);
      const agent = createAgent(loadAgentConfig(configPath), {
        version: await version(), capture: tcpdumpCapture, firewall: nftFirewall, counters: kernelCounters, configPath,
      });
      await agent.start();
      const stop = () => void agent.stop().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return;
    }
  } catch (err) {
    if (err instanceof AgentConfigError) throw new UsageError(err.message);
    throw err;
  }
  throw new UsageError(`unknown agent command ${JSON.stringify(sub ?? '')}; allowed: enroll, run\n\n${USAGE}`);
}
