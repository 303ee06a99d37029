// Real BGP speakers for server-level tests and bench/mitigate: each bed starts the speaker an
// adapter type drives, peering with an upstream BIRD 2 in namespaces of its own, and says how
// to reach the speaker (the adapter's endpoint and config) and what the upstream sees.
import type { AdapterType } from '@breakwater/contracts';
import { startBird2Bed, startExabgpBed, startFrrBed, startGobgpBed } from '@breakwater/mitigation/testing';

export interface SpeakerBed {
  type: AdapterType;
  endpoint: string;
  config: Record<string, unknown>;
  capabilities: ('blackhole' | 'flowspec')[];
  /** What the upstream BIRD has received from the speaker, as ruleKeys. */
  observe(): Promise<Set<string>>;
  /** Communities of one upstream route (null when absent). */
  communities(key: string): Promise<string[] | null>;
  /** The upstream BIRD's control socket (bench/mitigate watches it directly). */
  upstreamSocket: string;
  /** A second upstream peer of another implementation, when the bed has one. */
  secondPeer?: () => Promise<Set<string>>;
  /** True when the speaker reloads the rules by itself on restart (BIRD re-reads the file the adapter writes). */
  keepsRulesOnRestart: boolean;
  killSpeaker(): Promise<void>;
  restartSpeaker(): Promise<void>;
  destroy(): Promise<void>;
}

export const SPEAKER_BEDS: Partial<Record<AdapterType, () => Promise<SpeakerBed>>> = {
  gobgp: async () => {
    const bed = await startGobgpBed();
    return {
      type: 'gobgp', endpoint: bed.config.endpoint, config: {}, capabilities: ['blackhole', 'flowspec'],
      upstreamSocket: bed.upstream.bird.socket, observe: bed.upstream.observe, communities: bed.upstream.communities, secondPeer: bed.observeSecondPeer,
      keepsRulesOnRestart: false, killSpeaker: bed.killSpeaker, restartSpeaker: bed.restartSpeaker, destroy: bed.destroy,
    };
  },
  exabgp: async () => {
    const bed = await startExabgpBed();
    return {
      type: 'exabgp', endpoint: bed.config.endpoint, config: bed.config.options, capabilities: ['blackhole', 'flowspec'],
      upstreamSocket: bed.upstream.bird.socket, observe: bed.upstream.observe, communities: bed.upstream.communities,
      keepsRulesOnRestart: false, killSpeaker: bed.killSpeaker, restartSpeaker: bed.restartSpeaker, destroy: bed.destroy,
    };
  },
  bird2: async () => {
    const bed = await startBird2Bed();
    return {
      type: 'bird2', endpoint: bed.config.endpoint, config: bed.config.options, capabilities: ['blackhole', 'flowspec'],
      upstreamSocket: bed.upstream.bird.socket, observe: bed.upstream.observe, communities: bed.upstream.communities,
      keepsRulesOnRestart: true, killSpeaker: bed.killSpeaker, restartSpeaker: bed.restartSpeaker, destroy: bed.destroy,
    };
  },
  frr: async () => {
    const bed = await startFrrBed();
    return {
      type: 'frr', endpoint: bed.config.endpoint, config: bed.config.options, capabilities: ['blackhole'],
      upstreamSocket: bed.upstream.bird.socket, observe: bed.upstream.observe, communities: bed.upstream.communities,
      keepsRulesOnRestart: false, killSpeaker: bed.killSpeaker, restartSpeaker: bed.restartSpeaker, destroy: bed.destroy,
    };
  },
};
