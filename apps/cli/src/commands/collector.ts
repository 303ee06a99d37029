import { resolve } from 'node:path';
import { CollectorConfigError, createCollector, enrollCollector, loadCollectorConfig } from '@breakwater/collector';
import { parseFlags, UsageError } from '../args.ts';

const DEFAULT_CONFIG = '/etc/breakwater/collector.json';
const USAGE = `usage: breakwater collector enroll --server URL --deploy-token TOKEN --name NAME --networks CIDR[,CIDR…] [--netflow ADDR:PORT] [--ipfix ADDR:PORT] [--sflow ADDR:PORT] [--ip ADDR] [--spool-dir DIR] [--config PATH] [--force] [--allow-insecure-http]
       breakwater collector run [--config PATH]

enroll registers this collector (POST /api/deploy, then the networks it protects) and writes
its config (default ${DEFAULT_CONFIG}, readable by root only). Without --netflow/--ipfix/--sflow
it listens for NetFlow and IPFIX on 0.0.0.0:2055. run listens for flows, detects attacks per
protected address and reports them; each address appears at the server as a node of kind flow.`;

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return (JSON.parse(await readFile(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export async function collectorCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'enroll') {
      const { values } = parseFlags(rest, {
        server: { type: 'string' }, 'deploy-token': { type: 'string' }, name: { type: 'string' }, networks: { type: 'string' },
        netflow: { type: 'string' }, ipfix: { type: 'string' }, sflow: { type: 'string' }, ip: { type: 'string' }, 'spool-dir': { type: 'string' },
        config: { type: 'string' }, force: { type: 'boolean' }, 'allow-insecure-http': { type: 'boolean' },
      }, USAGE);
      for (const k of ['server', 'deploy-token', 'name', 'networks'] as const) if (!values[k]) throw new UsageError(`--${k} is required\n\n${USAGE}`);
      const path = values.config ?? DEFAULT_CONFIG;
      const cfg = await enrollCollector({
        server: values.server!, deployToken: values['deploy-token']!, name: values.name, configPath: path,
        networks: values.networks!.split(',').map((s) => s.trim()).filter((s) => s !== ''),
        netflow: values.netflow, ipfix: values.ipfix, sflow: values.sflow, ip: values.ip, spoolDir: values['spool-dir'], force: values.force,
        allowInsecureHttp: values['allow-insecure-http'],
      });
      process.stdout.write(`enrolled as collector ${cfg.node_uuid} protecting ${cfg.networks.join(', ')}; config written to ${path}\n`);
      return;
    }
    if (sub === 'run') {
      const { values } = parseFlags(rest, { config: { type: 'string' } }, USAGE);
      const collector = createCollector(loadCollectorConfig(resolve(values.config ?? DEFAULT_CONFIG)), { version: await version() });
      await collector.start();
      const stop = () => void collector.stop().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return;
    }
  } catch (err) {
    if (err instanceof CollectorConfigError) throw new UsageError(err.message);
    throw err;
  }
  throw new UsageError(`unknown collector command ${JSON.stringify(sub ?? '')}; allowed: enroll, run\n\n${USAGE}`);
}
