// BIRD 2 adapter: Breakwater owns one file the operator's bird.conf includes; every change
// rewrites it atomically and asks BIRD to `configure` through birdc (endpoint = BIRD's control
// socket). A change BIRD refuses is rolled back on disk, so the file never stays broken.
// present() asks BIRD (`show route table … protocol … all`), not the file: what BIRD runs is
// what the upstream can see.
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleSpec } from '@breakwater/contracts';
import { AdapterError, type AdapterConfig, type AdapterDeps, type AdapterFactory, type AnnouncedRule, type ConnectivityResult, type MitigationAdapter } from '../../adapter.ts';
import { ruleKey } from '../../rule-key.ts';
import { Type } from 'typebox';
import { adapterOptions } from '../../adapter-options.ts';
import { Communities, Matching, blackholeCommunities } from '../bgp-common/options.ts';
import { absolutePath, confinedSocket, isInside, localPaths, refuseProgramOption } from '../bgp-common/local-paths.ts';
import { runCommand } from '../bgp-common/run-command.ts';
import { protocolNames, readState, renderConfig, type RenderSettings } from './render.ts';
import { parseShowRoute } from './show-route.ts';

// The program (birdc) and the include directory are the server's config (deps.local); the API
// names at most the include file, by name or by a path inside that directory.
interface Settings extends RenderSettings { socket: string; includePath: string; includeDir: string; birdc: string; communities: string[] }

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,30}$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}(\.[A-Za-z0-9_-]{1,16})?$/;
const table = (dflt: string) => Matching(NAME, 'a BIRD table name (letters, digits, _)', dflt);

export const Bird2Options = Type.Object({
  include_file: Type.Optional(Matching(FILE_NAME, 'a file name (letters, digits, _ and -, one extension), written in the server\'s mitigation.bird2.includeDir')),
  include_path: Type.Optional(Type.String()),
  protocol_prefix: Matching(NAME, 'a BIRD protocol name prefix (letters, digits, _)', 'breakwater'),
  communities: Communities(),
  ipv4_table: table('master4'),
  ipv6_table: table('master6'),
  flow4_table: table('flowtab4'),
  flow6_table: table('flowtab6'),
}, { additionalProperties: false });

function settingsFrom(config: AdapterConfig, deps: Pick<AdapterDeps, 'local'>): Settings {
  refuseProgramOption(config.options, 'birdc', 'mitigation.bird2.birdc');
  const o = adapterOptions(Bird2Options, config.options);
  const local = localPaths(deps);
  const socket = confinedSocket('endpoint', config.endpoint, 'BIRD\'s control socket (bird -s)', local.socketDirs);
  const protocolPrefix = o.protocol_prefix;
  if (!local.birdIncludeDir) throw new AdapterError('bird2: the server\'s config names no include directory (mitigation.bird2.includeDir)', false);
  const includeDir = local.birdIncludeDir;
  let includePath: string;
  if (o.include_path !== undefined) {
    if (o.include_file !== undefined) throw AdapterError.about('options.include_path', 'give include_file or include_path, not both');
    includePath = absolutePath('options.include_path', o.include_path, 'the file bird.conf includes for Breakwater');
    if (!isInside(includeDir, includePath) || includePath === includeDir) {
      throw AdapterError.about('options.include_path', `must be a file in ${includeDir} (the server's mitigation.bird2.includeDir); or give include_file, a file name there`);
    }
  } else {
    includePath = join(includeDir, o.include_file ?? `${protocolPrefix}.conf`);
  }
  return {
    socket, includePath, includeDir, protocolPrefix,
    birdc: local.birdc,
    communities: o.communities,
    tables: { ipv4: o.ipv4_table, ipv6: o.ipv6_table, flow4: o.flow4_table, flow6: o.flow6_table },
  };
}

/** Writes the managed file by rename; never through a symlink someone left in its place. */
function writeManaged(path: string, text: string): void {
  if (existsSync(path) && lstatSync(path).isSymbolicLink()) throw new AdapterError(`bird2: ${path} is a symlink; Breakwater writes only its own regular file there`, false);
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, text, { mode: 0o644, flag: 'wx' });
  renameSync(tmp, path);
}

export const createBird2Adapter: AdapterFactory = (config: AdapterConfig, deps: AdapterDeps): MitigationAdapter => {
  let s: Settings | null = null;
  /** The rules the file holds, by ruleKey. */
  const rules = new Map<string, RuleSpec>();
  /** One change at a time: each rewrites the whole file. */
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const p = chain.then(f, f);
    chain = p.catch(() => undefined);
    return p;
  };

  const ready = (): Settings => {
    if (!s) throw new AdapterError('bird2 adapter: start() has not succeeded', false);
    return s;
  };

  /** birdc's reply; `allowFail` returns a refusal's text instead of throwing (configure reports errors so). */
  const birdc = async (st: Settings, args: string[], allowFail = false) => {
    const r = await runCommand(st.birdc, ['-s', st.socket, ...args], { timeoutMs: deps.timeoutMs });
    const text = `${r.stdout}${r.stderr}`.trim();
    // Not reaching BIRD is worth retrying; BIRD answering "no" is not.
    if (/Unable to connect|Connection refused|No such file/i.test(text) || !/BIRD [0-9.]+ ready/.test(text)) {
      throw new AdapterError(`birdc ${args.join(' ')}: ${text.slice(0, 500) || `exit ${r.code}`}`, true);
    }
    if (r.code !== 0 && !allowFail) throw new AdapterError(`birdc ${args.join(' ')}: ${text.slice(0, 500)}`, false);
    return text;
  };

  const normalise = (st: Settings, spec: RuleSpec): RuleSpec => {
    if (spec.kind === 'blackhole') return { ...spec, communities: blackholeCommunities(st.communities, spec.communities) };
    if (spec.kind !== 'flowspec') throw new AdapterError(`bird2 cannot carry a ${spec.kind} rule`, false);
    return spec;
  };

  /** Writes the file for `next`, has BIRD load it; on any failure puts the old file back. */
  const apply = async (st: Settings, next: Map<string, RuleSpec>) => {
    const text = renderConfig([...next.values()], st);
    const old = existsSync(st.includePath) ? readFileSync(st.includePath, 'utf8') : '';
    writeManaged(st.includePath, text);
    try {
      const out = await birdc(st, ['configure'], true);
      if (!/Reconfigured|Reconfiguration in progress|Reconfiguration already in progress/.test(out)) {
        throw new AdapterError(`bird refused the configuration: ${out.replace(/^BIRD [0-9.]+ ready\.\s*/, '').slice(0, 500)}`, false);
      }
    } catch (err) {
      writeManaged(st.includePath, old);
      throw err;
    }
    rules.clear();
    for (const [k, v] of next) rules.set(k, v);
  };

  return {
    type: 'bird2',
    capabilities: ['blackhole', 'flowspec'],

    async start() {
      const st = settingsFrom(config, deps);
      mkdirSync(st.includeDir, { recursive: true, mode: 0o755 });
      rules.clear();
      if (existsSync(st.includePath)) {
        // A previous run's rules stay: the file records them, and BIRD is still carrying them.
        for (const spec of readState(readFileSync(st.includePath, 'utf8'))) {
          try { renderConfig([spec], st); rules.set(ruleKey(spec), spec); } catch { /* a rule we cannot write again is dropped */ }
        }
      } else {
        // bird.conf cannot include a missing file; an empty managed file lets BIRD start.
        writeManaged(st.includePath, renderConfig([], st));
      }
      s = st;
    },

    announce(rule: AnnouncedRule) {
      return serial(async () => {
        const st = ready();
        const spec = normalise(st, rule.spec);
        const next = new Map(rules);
        next.set(ruleKey(spec), spec);
        await apply(st, next);
        deps.log?.('bird2: announced', { id: rule.id, key: ruleKey(spec) });
      });
    },

    withdraw(rule: AnnouncedRule) {
      return serial(async () => {
        const st = ready();
        const key = ruleKey(rule.spec);
        const next = new Map(rules);
        next.delete(key);
        // Even when we hold nothing for it, configure: BIRD may still carry an older file.
        await apply(st, next);
        deps.log?.('bird2: withdrawn', { id: rule.id, key });
      });
    },

    async present() {
      const st = ready();
      const n = protocolNames(st.protocolPrefix);
      const keys = new Set<string>();
      const pairs: [string, string][] = [[st.tables.ipv4, n.bh4], [st.tables.ipv6, n.bh6], [st.tables.flow4, n.fs4], [st.tables.flow6, n.fs6]];
      for (const [table, proto] of pairs) {
        for (const r of parseShowRoute(await birdc(st, ['show', 'route', 'table', table, 'protocol', proto, 'all']))) {
          if (r.protocol !== proto) continue;
          if (r.prefix) keys.add(ruleKey({ kind: 'blackhole', prefix: r.prefix, next_hop: null, communities: [] }));
          else if (r.match) keys.add(ruleKey({ kind: 'flowspec', match: r.match, action: { type: 'discard' } }));
        }
      }
      return keys;
    },

    async test(): Promise<ConnectivityResult> {
      const t0 = deps.now();
      try {
        const st = s ?? settingsFrom(config, deps);
        const out = await birdc(st, ['show', 'status']);
        const ok = /Daemon is up and running/.test(out);
        return { ok, latency_ms: deps.now() - t0, message: ok ? (out.split('\n').find((l) => l.startsWith('BIRD')) ?? 'BIRD is up') : out.slice(0, 300) };
      } catch (err) {
        return { ok: false, latency_ms: deps.now() - t0, message: err instanceof Error ? err.message : String(err) };
      }
    },

    async stop() {
      await chain;
      s = null;
    },
  };
};
