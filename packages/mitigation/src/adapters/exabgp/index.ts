// ExaBGP adapter: ExaBGP runs our bridge (bridge.ts) as an API process; the adapter sends it
// text commands and reads ExaBGP's ack for every one — "error" or no ack in time is an
// AdapterError, never silence. present() asks ExaBGP for its adj-RIB-out.
import type { RuleSpec } from '@breakwater/contracts';
import { AdapterError, type AdapterConfig, type AdapterDeps, type AdapterFactory, type AnnouncedRule, type ConnectivityResult, type MitigationAdapter } from '../../adapter.ts';
import { ruleKey } from '../../rule-key.ts';
import { Type } from 'typebox';
import { adapterOptions } from '../../adapter-options.ts';
import { Communities, Matching, blackholeCommunities } from '../bgp-common/options.ts';
import { confinedSocket, localPaths } from '../bgp-common/local-paths.ts';
import { BridgeClient, endpointOptions } from './bridge-client.ts';
import { parseAdjRibOut, ruleCommand, type CommandSettings } from './commands.ts';

interface Settings extends CommandSettings { communities: string[] }

const NH4 = /^(self|(\d{1,3}\.){3}\d{1,3})$/;
const NH6 = /^(self|[0-9a-fA-F:]+)$/;

export const ExabgpOptions = Type.Object({
  communities: Communities(),
  next_hop: Matching(NH4, '"self" or an IPv4 address', 'self'),
  next_hop_v6: Matching(NH6, '"self" or an IPv6 address', 'self'),
}, { additionalProperties: false });

function settingsFrom(config: AdapterConfig, deps: Pick<AdapterDeps, 'local'>): Settings {
  const o = adapterOptions(ExabgpOptions, config.options);
  const where = endpointOptions(config.endpoint);
  if ('path' in where) confinedSocket('endpoint', where.path, 'the bridge\'s unix socket', localPaths(deps).socketDirs);
  return {
    communities: o.communities,
    nextHopV4: o.next_hop,
    nextHopV6: o.next_hop_v6,
  };
}

export const createExabgpAdapter: AdapterFactory = (config: AdapterConfig, deps: AdapterDeps): MitigationAdapter => {
  let s: Settings | null = null;
  let client: BridgeClient | null = null;

  const ready = () => {
    if (!s || !client) throw new AdapterError('exabgp adapter: start() has not succeeded', false);
    return { st: s, c: client };
  };
  const spec = (st: Settings, r: RuleSpec): RuleSpec => (r.kind === 'blackhole' ? { ...r, communities: blackholeCommunities(st.communities, r.communities) } : r);

  const command = async (c: BridgeClient, text: string) => {
    const ack = await c.send(text);
    if (!ack.ok) throw new AdapterError(`exabgp refused "${text.slice(0, 200)}"${ack.output.length ? `: ${ack.output.join(' ').slice(0, 300)}` : ''}`, false);
    return ack.output;
  };

  return {
    type: 'exabgp',
    capabilities: ['blackhole', 'flowspec'],

    async start() {
      s = settingsFrom(config, deps);
      client = new BridgeClient(config.endpoint, deps.timeoutMs);
    },

    async announce(rule: AnnouncedRule) {
      const { st, c } = ready();
      // ExaBGP replaces a route it already has with the same NLRI: announcing twice is idempotent.
      await command(c, ruleCommand('announce', spec(st, rule.spec), st));
      deps.log?.('exabgp: announced', { id: rule.id, key: ruleKey(rule.spec) });
    },

    async withdraw(rule: AnnouncedRule) {
      const { st, c } = ready();
      // ExaBGP acks "done" for a withdraw of a route it does not have (it only logs it).
      await command(c, ruleCommand('withdraw', spec(st, rule.spec), st));
      deps.log?.('exabgp: withdrawn', { id: rule.id, key: ruleKey(rule.spec) });
    },

    async present() {
      const { c } = ready();
      const out = await command(c, 'show adj-rib out extensive');
      return new Set(parseAdjRibOut(out).map(ruleKey));
    },

    async test(): Promise<ConnectivityResult> {
      const t0 = deps.now();
      let probe: BridgeClient | null = null;
      try {
        settingsFrom(config, deps);
        probe = client ?? new BridgeClient(config.endpoint, deps.timeoutMs);
        const ack = await probe.send('show neighbor summary');
        return { ok: ack.ok, latency_ms: deps.now() - t0, message: ack.ok ? (ack.output.join('\n').slice(0, 500) || 'ExaBGP answered') : 'ExaBGP answered error' };
      } catch (err) {
        return { ok: false, latency_ms: deps.now() - t0, message: err instanceof Error ? err.message : String(err) };
      } finally {
        if (probe && probe !== client) probe.close();
      }
    },

    async stop() {
      client?.close();
      client = null;
    },
  };
};
