import { createServer, mergeSettings, parseOutboundAllow, readServerConfigFile, resolveConfig, serverConfigFilePath } from '@breakwater/server';
import { databaseUrlFlag, deployTokenScopeFlag, parseFlags, portFlag, UsageError } from '../args.ts';
import type { LocalAgent } from './local-agent.ts';

const USAGE = `usage: breakwater server [--config FILE] [--port N] [--host ADDR] [--data-dir DIR] [--database-url postgres://…] [--log-level LEVEL]
                         [--pcap-max-bytes N] [--public-url https://…] [--secure-cookies] [--deploy-token-scope register|operator]
                         [--secret-key-file F] [--outbound-allow channels|adapters|scrubbing.TYPE=loopback,private]… [--birdc PROGRAM] [--bird-include-dir DIR]
                         [--socket-dir DIR]…
                         [--local-agent [--agent-interface IF]]

Runs the control plane and serves the dashboard. Without --database-url it uses SQLite in
--data-dir (default ./data). Settings come from flags, then BREAKWATER_* environment, then
the config file (--config, BREAKWATER_CONFIG, or /etc/breakwater/server.json if it exists: JSON
with the keys README lists), then defaults; 'breakwater config check' checks the file.
On the first start of an empty database it creates the first workspace and prints the
admin credentials and tokens once. --local-agent also watches this machine (as root): it enrols it once (config in DATA_DIR/local-agent/) and runs the agent on
--agent-interface (default: the interface of the default route).
The first deploy token only registers nodes unless --deploy-token-scope operator. The session
cookie is Secure with --secure-cookies (BREAKWATER_SECURE_COOKIES=true|false), and by default
when --public-url is https://.`;

export async function serverCommand(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, {
    port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' }, 'database-url': { type: 'string' },
    'log-level': { type: 'string' }, 'pcap-max-bytes': { type: 'string' }, 'public-url': { type: 'string' }, help: { type: 'boolean' },
    'local-agent': { type: 'boolean' }, 'agent-interface': { type: 'string' }, 'secure-cookies': { type: 'boolean' }, 'deploy-token-scope': { type: 'string' },
    'secret-key-file': { type: 'string' }, config: { type: 'string' },
    'outbound-allow': { type: 'string', multiple: true }, birdc: { type: 'string' }, 'bird-include-dir': { type: 'string' }, 'socket-dir': { type: 'string', multiple: true },
  }, USAGE);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const agentIf = values['agent-interface'];
  if (agentIf !== undefined && !values['local-agent']) throw new UsageError('--agent-interface: only with --local-agent');
  if (agentIf !== undefined && !/^[A-Za-z0-9_.:@-]{1,15}$/.test(agentIf)) throw new UsageError(`--agent-interface: must be an interface name (1-15 of A-Z a-z 0-9 _ . : @ -), got ${JSON.stringify(agentIf)}`);
  const pcapMax = values['pcap-max-bytes'];
  if (pcapMax !== undefined && !/^\d+$/.test(pcapMax)) throw new UsageError(`--pcap-max-bytes: must be a whole number of bytes, got ${JSON.stringify(pcapMax)}`);
  const deployTokenScope = deployTokenScopeFlag(values['deploy-token-scope']);
  const secureCookies = values['secure-cookies'] ? true : secureCookiesEnv(process.env.BREAKWATER_SECURE_COOKIES);
  const file = serverConfigFilePath(values.config ?? process.env.BREAKWATER_CONFIG);
  const fromFile = file === undefined ? {} : readServerConfigFile(file);
  const bird = { birdc: values.birdc ?? process.env.BREAKWATER_BIRDC, includeDir: values['bird-include-dir'] ?? process.env.BREAKWATER_BIRD_INCLUDE_DIR };
  const outboundAllow = values['outbound-allow'] ?? (process.env.BREAKWATER_OUTBOUND_ALLOW ?? '').split(';').filter((x) => x.trim());
  // What the operator gave as flags or environment: only these override the file.
  const given: Record<string, unknown> = {
    port: portFlag(values.port ?? process.env.BREAKWATER_PORT),
    host: values.host ?? process.env.BREAKWATER_HOST,
    dataDir: values['data-dir'] ?? process.env.BREAKWATER_DATA_DIR,
    databaseUrl: databaseUrlFlag(values['database-url']),
    logLevel: values['log-level'],
    pcapMaxBytes: pcapMax === undefined ? undefined : Number(pcapMax),
    publicUrl: values['public-url'] ?? process.env.BREAKWATER_PUBLIC_URL ?? undefined,
    secureCookies,
    // Key for channel and adapter secrets at rest; without one, DATA_DIR/secret.key is made once.
    secretKeyFile: values['secret-key-file'], secretKey: process.env.BREAKWATER_SECRET_KEY || undefined,
    // Bearer token Prometheus reads /metrics with from other hosts (without one: loopback clients only).
    metricsToken: process.env.BREAKWATER_METRICS_TOKEN || undefined,
    // What channels and adapters may call beyond public addresses, and the BGP adapters' program, include directory and socket directories.
    outbound: outboundAllow.length > 0 ? parseOutboundAllow(outboundAllow) : undefined,
    mitigation: {
      ...(bird.birdc || bird.includeDir ? { bird2: bird } : {}),
      ...((values['socket-dir'] ?? process.env.BREAKWATER_SOCKET_DIRS) ? { socketDirs: values['socket-dir'] ?? process.env.BREAKWATER_SOCKET_DIRS!.split(':').filter(Boolean) } : {}),
    },
  };
  let config;
  try {
    config = resolveConfig(mergeSettings(fromFile, given));
  } catch (err) {
    // Config errors name the config key; where the operator typed a flag, name that, else the file's key.
    const flags: Record<string, string> = { port: 'port', host: 'host', logLevel: 'log-level', pcapMaxBytes: 'pcap-max-bytes', dataDir: 'data-dir', databaseUrl: 'database-url', publicUrl: 'public-url', secretKeyFile: 'secret-key-file', outbound: 'outbound-allow' };
    throw new UsageError((err as Error).message.replace(/^config (\w+)/, (m, key: string) => given[key] !== undefined && flags[key] ? `--${flags[key]}` : file !== undefined && key in fromFile ? `${file}: ${key}` : m));
  }
  const server = await createServer(config).start({ bootstrapIfEmpty: true, deployTokenScope });
  if (server.bootstrapped) {
    const b = server.bootstrapped;
    process.stdout.write(
      [
        '',
        '================ Breakwater: first start ================',
        `Workspace:      ${b.workspace_name} (${b.workspace_id})`,
        `Admin sign-in:  ${b.admin_email}`,
        `Admin password: ${b.admin_password}`,
        `Deploy token:   ${b.deploy_token} (${b.deploy_token_scope === 'register' ? 'registers nodes only' : 'registers nodes and acts as an operator'})`,
        `API token:      ${b.api_token}`,
        'These secrets are shown only now; only their digests are stored.',
        '==========================================================',
        '',
      ].join('\n') + '\n',
    );
  }
  process.stdout.write(`Breakwater ${server.ctx.version} listening on ${server.url} (storage: ${server.database.dialect} ${server.database.location})\n`);
  process.stdout.write(`Dashboard: ${server.url}/  API docs: ${server.url}/api/v1/docs\n`);
  let local: LocalAgent | null = null;
  if (values['local-agent']) {
    try {
      const { startLocalAgent } = await import('./local-agent.ts');
      local = await startLocalAgent(server, { dataDir: config.dataDir, interface: agentIf, log: (line) => process.stdout.write(`${line}\n`) });
    } catch (err) {
      process.stdout.write(`local agent: not started: ${(err as Error).message}\n`);
    }
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping\n`);
    Promise.resolve(local?.stop()).then(() => server.stop()).then(() => process.exit(0), (err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function secureCookiesEnv(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new UsageError(`BREAKWATER_SECURE_COOKIES: must be true or false, got ${JSON.stringify(v)}`);
}
