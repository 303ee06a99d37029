// Real BGP speakers for server-level tests and bench/mitigate: each bed starts the speaker an
// adapter type drives, peering with an upstream BIRD 2 and a second, GoBGP, peer in namespaces
// of their own, and says how to reach the speaker (the adapter's endpoint and config) and what
// the upstream peers see.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AdapterType } from '@breakwater/contracts';
import { startBird2Bed, startExabgpBed, startFrrBed, startGobgpBed, type BgpBed } from '@breakwater/mitigation/testing';

export interface SpeakerBed {
  type: AdapterType;
  endpoint: string;
  config: Record<string, unknown>;
  /** What the server's config must say for this bed: its socket directory, BIRD's include directory. */
  serverMitigation: { socketDirs: string[]; bird2?: { includeDir: string } };
  capabilities: ('blackhole' | 'flowspec')[];
  /** What the upstream BIRD has received from the speaker, as ruleKeys. */
  observe(): Promise<Set<string>>;
  /** Communities of one upstream route (null when absent). */
  communities(key: string): Promise<string[] | null>;
  /** The upstream BIRD's control socket (bench/mitigate watches it directly). */
  upstreamSocket: string;
  /** What a second upstream peer of another implementation (GoBGP) has received, as ruleKeys. */
  secondPeer?: () => Promise<Set<string>>;
  /** Communities of one route at the second peer (null when absent). */
  secondPeerCommunities?: (key: string) => Promise<string[] | null>;
  /** True when the speaker reloads the rules by itself on restart (BIRD re-reads the file the adapter writes). */
  keepsRulesOnRestart: boolean;
  killSpeaker(): Promise<void>;
  restartSpeaker(): Promise<void>;
  destroy(): Promise<void>;
}

const fromBed = (type: AdapterType, capabilities: SpeakerBed['capabilities'], keepsRulesOnRestart: boolean, start: () => Promise<BgpBed>) => async (): Promise<SpeakerBed> => {
  const bed = await start();
  return {
    type, endpoint: bed.config.endpoint, config: bed.config.options, capabilities, keepsRulesOnRestart,
    serverMitigation: { socketDirs: [...(bed.local.socketDirs ?? [])], ...(bed.local.birdIncludeDir ? { bird2: { includeDir: bed.local.birdIncludeDir } } : {}) },
    upstreamSocket: bed.upstream.bird.socket, observe: bed.upstream.observe, communities: bed.upstream.communities,
    secondPeer: bed.upstream.second.observe, secondPeerCommunities: bed.upstream.second.communities,
    killSpeaker: bed.killSpeaker, restartSpeaker: bed.restartSpeaker, destroy: bed.destroy,
  };
};

export const SPEAKER_BEDS: Partial<Record<AdapterType, () => Promise<SpeakerBed>>> = {
  gobgp: fromBed('gobgp', ['blackhole', 'flowspec'], false, startGobgpBed),
  exabgp: fromBed('exabgp', ['blackhole', 'flowspec'], false, startExabgpBed),
  // BIRD re-reads the file the adapter writes when it starts again.
  bird2: fromBed('bird2', ['blackhole', 'flowspec'], true, startBird2Bed),
  frr: fromBed('frr', ['blackhole'], false, startFrrBed),
};

/**
 * What the upstream BIRD has received from the speaker (its IPv4 session), as BIRD counts it:
 * a route announced twice is two updates even though the table shows it once.
 */
export async function upstreamImports(bed: Pick<SpeakerBed, 'upstreamSocket'>): Promise<{ updates: number; withdraws: number }> {
  const { stdout } = await promisify(execFile)('birdc', ['-s', bed.upstreamSocket, 'show', 'protocols', 'all', 'spk4']);
  const updates = /Import updates:\s+(\d+)/.exec(stdout);
  const withdraws = /Import withdraws:\s+(\d+)/.exec(stdout);
  return { updates: Number(updates?.[1] ?? NaN), withdraws: Number(withdraws?.[1] ?? NaN) };
}
