// The one BGP test bed: namespaces, the upstream BIRD 2 and the second (GoBGP) upstream peer, and
// the speaker under test, which a per-speaker part starts with every session of the bed in its
// config. bgpHarness() turns a bed and an adapter factory into the contract suite's harness.
import type { Capability } from '@breakwater/contracts';
import type { Daemon, GobgpdInstance } from '@breakwater/testing';
import type { AdapterConfig, AdapterDeps, LocalPaths, MitigationAdapter } from '../adapter.ts';
import type { ContractHarness, ContractInstance } from './contract.ts';
import { UPSTREAM_SESSIONS, startUpstream, type Upstream } from './upstream.ts';

/** Deps as the server gives them: BGP speakers on loopback, the bed's own directory for sockets and files. */
export const testDeps = (timeoutMs = 3000, local?: Partial<LocalPaths>): AdapterDeps => ({ now: () => Date.now(), fetch, timeoutMs, reach: ['loopback'], ...(local ? { local } : {}) });

/** What every speaker daemon of @breakwater/testing offers. */
export interface SpeakerDaemon {
  daemon(): Daemon;
  stop(): Promise<void>;
  /** Kill and start again with the same config. */
  restart(): Promise<void>;
}

/** Starts the speaker under test with a config holding every one of `upstream.sessions`. */
export type SpeakerPart<S extends SpeakerDaemon> = (upstream: Upstream) => Promise<{ speaker: S; config: AdapterConfig; local?: Partial<LocalPaths> }>;

export interface BgpBed<S extends SpeakerDaemon = SpeakerDaemon> {
  upstream: Upstream;
  speaker: S;
  /** The second upstream peer, a gobgpd. */
  observer: GobgpdInstance;
  /** The adapter's working config (endpoint, options). */
  config: AdapterConfig;
  /** What the server's config must say for this bed (socket directory, BIRD include directory). */
  local: Partial<LocalPaths>;
  /** What the second (GoBGP) peer has received, as ruleKeys. */
  observeSecondPeer: () => Promise<Set<string>>;
  killSpeaker: () => Promise<void>;
  /**
   * Starts the speaker again and waits until the upstream BIRD has its sessions back. The second
   * peer may take longer (a gobgpd speaker and the observer reconnect on gobgpd's 5-10 s timer):
   * tests that read it after a restart call waitSessions().
   */
  restartSpeaker: () => Promise<void>;
  /** Waits until both upstream peers have their sessions with the speaker. */
  waitSessions: () => Promise<void>;
  destroy: () => Promise<void>;
}

export async function startBgpBed<S extends SpeakerDaemon>(name: string, startSpeaker: SpeakerPart<S>): Promise<BgpBed<S>> {
  const upstream = await startUpstream(name);
  try {
    const { speaker, config, local: own } = await startSpeaker(upstream);
    const local: Partial<LocalPaths> = { socketDirs: [upstream.dir], ...own };
    try {
      await upstream.waitSessions();
    } catch (err) {
      await speaker.stop().catch(() => undefined);
      throw err;
    }
    return {
      upstream, speaker, config, local,
      observer: upstream.second.gobgpd,
      observeSecondPeer: upstream.second.observe,
      killSpeaker: async () => { await speaker.daemon().stop('SIGKILL'); },
      restartSpeaker: async () => { await speaker.restart(); await upstream.bird.waitEstablished(UPSTREAM_SESSIONS); },
      waitSessions: upstream.waitSessions,
      destroy: async () => {
        await speaker.stop().catch(() => undefined);
        await upstream.destroy();
      },
    };
  } catch (err) {
    await upstream.destroy();
    throw err;
  }
}

export interface BgpHarnessSpec<S extends SpeakerDaemon> {
  name: string;
  capabilities: readonly Capability[];
  startBed: () => Promise<BgpBed<S>>;
  createAdapter: (config: AdapterConfig, deps: AdapterDeps) => MitigationAdapter;
  /** An endpoint nothing answers on, in the bed's temp dir. */
  deadEndpoint: (dir: string) => string;
  badOptions: ContractInstance['badOptions'];
  extraTests?: ContractHarness['extraTests'];
}

/** The contract harness for a BGP adapter; `hold.bed` is kept for extra assertions. */
export function bgpHarness<S extends SpeakerDaemon>(spec: BgpHarnessSpec<S>, hold: { bed?: BgpBed<S> } = {}): ContractHarness {
  return {
    name: spec.name,
    capabilities: spec.capabilities,
    extraTests: spec.extraTests,
    start: async (): Promise<ContractInstance> => {
      const bed = await spec.startBed();
      hold.bed = bed;
      const make = (over: Partial<AdapterConfig>): MitigationAdapter => spec.createAdapter({ ...bed.config, ...over }, testDeps(3000, bed.local));
      const adapter = make({});
      try {
        await adapter.start();
      } catch (err) {
        await bed.destroy();
        throw err;
      }
      const up = bed.upstream;
      return {
        adapter, makeAdapter: make,
        observe: up.observe,
        communities: up.communities,
        flowAction: up.flowAction,
        secondPeer: { name: 'the second (GoBGP) peer', observe: up.second.observe, communities: up.second.communities, flowAction: up.second.flowAction },
        deadEndpoint: spec.deadEndpoint(up.dir),
        badOptions: spec.badOptions,
        killSpeaker: bed.killSpeaker,
        restartSpeaker: bed.restartSpeaker,
        stop: async () => { try { await adapter.stop(); } finally { await bed.destroy(); } },
      };
    },
  };
}
