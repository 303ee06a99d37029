// A recommended mitigation for an incident, as plain data the mitigation adapters translate: FlowSpec
// rules (RFC 8955 match components), a blackhole of the target (RFC 7999 community), and local
// firewall intents. The aim is to drop what the verdict pins down and rate-limit what legitimate
// traffic shares (SYN, ACK, DNS queries), never to drop a service's own traffic wholesale.
import type { Incident } from '../incident/incident.ts';
import { parseAddress } from '../config/ip-prefix.ts';

export interface FlowSpecMatch {
  /** Destination prefix: the protected target. */
  destination?: string;
  source?: string[];
  /** IP protocol numbers. */
  protocol?: number[];
  sourcePort?: number[];
  destinationPort?: number[];
  /** Flags as RFC 8955 bitmask terms: "syn" must be set, "!ack" must be clear. */
  tcpFlags?: string[];
  fragment?: ('is-fragment' | 'first-fragment' | 'last-fragment')[];
}

export type FlowSpecAction = { type: 'discard' } | { type: 'rate-limit'; bps: number };

export interface FlowSpecRule {
  match: FlowSpecMatch;
  action: FlowSpecAction;
  reason: string;
}

export interface BlackholeIntent {
  prefix: string;
  community: '65535:666';
  /** False: offered as the last resort only. */
  recommended: boolean;
  reason: string;
}

export interface FirewallIntent {
  action: 'drop' | 'rate_limit' | 'syn_cookies';
  protocol?: 'tcp' | 'udp' | 'icmp' | 'gre';
  sources?: string[];
  srcPorts?: number[];
  dstPorts?: number[];
  tcpFlags?: { set: string[]; unset: string[] };
  fragments?: boolean;
  /** For rate_limit: packets per second allowed through. */
  ratePps?: number;
  reason: string;
}

export interface MitigationRecommendation {
  flowspec: FlowSpecRule[];
  blackhole: BlackholeIntent | undefined;
  firewall: FirewallIntent[];
  notes: string[];
}

export interface RecommendOptions {
  /** Protected address; defaults to the incident's target. */
  target?: string;
  /** Uplink capacity: a peak above 80% of it makes the blackhole recommended. */
  linkBps?: number;
  /** Source lists are proposed only for at most this many, non-spoofed sources. */
  maxSources?: number;
}

const PROTO = { tcp: 6, udp: 17, icmp: 1, gre: 47 } as const;

function hostPrefix(target: string | undefined): string | undefined {
  const a = target === undefined ? undefined : parseAddress(target);
  if (!a || target === undefined) return undefined;
  return `${target}/${a.family === 4 ? 32 : 128}`;
}

export function recommendMitigation(incident: Incident, opts: RecommendOptions = {}): MitigationRecommendation {
  const destination = hostPrefix(opts.target ?? incident.target);
  const dst = destination === undefined ? {} : { destination };
  const flowspec: FlowSpecRule[] = [];
  const firewall: FirewallIntent[] = [];
  const notes: string[] = [];
  // Rate limits sized to what normal traffic needs: the learned p99, else a tenth of the threshold.
  const normalPps = Math.max(1, Math.round(incident.baseline.ppsPercentile || incident.threshold.value / 10));
  const avgPacketBits = incident.peakPps > 0 ? incident.peakBps / incident.peakPps : 8 * 500;
  const limitBps = Math.max(1_000_000, Math.round(normalPps * avgPacketBits));
  const add = (match: FlowSpecMatch, action: FlowSpecAction, fw: Omit<FirewallIntent, 'reason'>, reason: string) => {
    flowspec.push({ match: { ...dst, ...match }, action, reason });
    firewall.push({ ...fw, reason });
  };
  const limit = { type: 'rate-limit', bps: limitBps } as const;
  const discard = { type: 'discard' } as const;

  for (const v of incident.classification.vectors) {
    const amp = /^amp:(\d+)$/.exec(v.id);
    if (amp) {
      const port = Number(amp[1]);
      add({ protocol: [PROTO.udp], sourcePort: [port] }, discard, { action: 'drop', protocol: 'udp', srcPorts: [port] }, `${v.subtype}: reflected UDP from source port ${port}`);
      continue;
    }
    switch (v.id) {
      case 'dns_query':
        add({ protocol: [PROTO.udp], destinationPort: [53] }, limit, { action: 'rate_limit', protocol: 'udp', dstPorts: [53], ratePps: normalPps }, 'dns_query_flood: queries share the port with legitimate ones, so limit rather than drop');
        break;
      case 'udp': {
        const port = incident.traffic.topDstPorts[0];
        const ports = port && port.count >= incident.traffic.totalPackets * 0.5 ? [port.port] : undefined;
        add({ protocol: [PROTO.udp], ...(ports ? { destinationPort: ports } : {}) }, limit, { action: 'rate_limit', protocol: 'udp', ...(ports ? { dstPorts: ports } : {}), ratePps: normalPps }, 'udp_flood: limit UDP to the target to its normal rate');
        break;
      }
      case 'fragments':
        add({ fragment: ['is-fragment'] }, discard, { action: 'drop', fragments: true }, 'fragment_flood: drop IP fragments to the target');
        break;
      case 'syn':
        add({ protocol: [PROTO.tcp], tcpFlags: ['syn', '!ack'] }, limit, { action: 'syn_cookies', protocol: 'tcp' }, `${v.subtype}: SYN cookies locally, SYN rate limit upstream (real clients also send SYN)`);
        break;
      case 'xmas':
      case 'null':
        add({ protocol: [PROTO.tcp], tcpFlags: v.id === 'xmas' ? ['fin', 'psh', 'urg'] : ['!syn', '!ack', '!fin', '!rst', '!psh', '!urg'] }, discard, { action: 'drop', protocol: 'tcp', tcpFlags: v.id === 'xmas' ? { set: ['fin', 'psh', 'urg'], unset: [] } : { set: [], unset: ['syn', 'ack', 'fin', 'rst', 'psh', 'urg'] } }, `${v.subtype}: no legitimate TCP packet looks like this`);
        break;
      case 'synack':
      case 'rst':
      case 'fin':
      case 'urg':
      case 'ack':
      case 'psh': {
        const flag = v.id === 'synack' ? ['syn', 'ack'] : v.id === 'psh' ? ['psh', 'ack'] : [v.id];
        add({ protocol: [PROTO.tcp], tcpFlags: flag }, limit, { action: 'rate_limit', protocol: 'tcp', tcpFlags: { set: flag, unset: [] }, ratePps: normalPps }, `${v.subtype}: limit (established connections use these flags too)`);
        break;
      }
      case 'http':
        firewall.push({ action: 'rate_limit', protocol: 'tcp', dstPorts: [80, 443], ratePps: Math.max(1, Math.round(normalPps / 10)), reason: `${v.subtype}: per-source connection limits; needs layer-7 filtering (WAF/scrubbing) to be clean` });
        notes.push('HTTP floods look like real requests at L3/L4: FlowSpec cannot separate them, scrubbing or a WAF can.');
        break;
      case 'icmp':
        add({ protocol: [PROTO.icmp] }, limit, { action: 'rate_limit', protocol: 'icmp', ratePps: Math.min(normalPps, 1000) }, 'icmp_flood: limit ICMP (keep some for path MTU discovery)');
        break;
      case 'gre':
        add({ protocol: [PROTO.gre] }, discard, { action: 'drop', protocol: 'gre' }, 'gre_flood: drop GRE unless the target terminates tunnels');
        break;
      default:
        notes.push(`${v.subtype}: no specific rule; rely on the blackhole or scrubbing`);
    }
  }

  // Sources are worth listing only when they are real and few; spoofed or reflected lists are noise.
  const maxSources = opts.maxSources ?? 50;
  const t = incident.traffic;
  const covered = t.topSrcIps.reduce((s, x) => s + x.count, 0);
  const reflected = incident.classification.vectors.some((v) => v.id.startsWith('amp:'));
  if (!incident.spoofingDetected && !reflected && t.sourceIpCount > 0 && t.sourceIpCount <= maxSources && covered >= 0.8 * t.totalPackets) {
    const sources = t.topSrcIps.map((s) => hostPrefix(s.ip)).filter((s): s is string => s !== undefined);
    if (sources.length > 0) {
      flowspec.push({ match: { ...dst, source: sources }, action: discard, reason: `${sources.length} real sources carry ${Math.round((100 * covered) / Math.max(1, t.totalPackets))}% of packets` });
      firewall.push({ action: 'drop', sources: t.topSrcIps.map((s) => s.ip), reason: 'few, non-spoofed sources' });
    }
  }
  if (flowspec.length === 0 && firewall.length === 0) notes.push('the verdict pins no filterable vector down');

  const overLink = opts.linkBps !== undefined && incident.peakBps >= 0.8 * opts.linkBps;
  const blackhole: BlackholeIntent | undefined =
    destination === undefined
      ? undefined
      : {
          prefix: destination,
          community: '65535:666',
          recommended: incident.severity === 'critical' || overLink,
          reason: overLink
            ? 'peak above 80% of the uplink: filtering on this host cannot help'
            : incident.severity === 'critical'
              ? 'critical severity: sacrifice the target to save its neighbours if filters do not hold'
              : 'last resort only: it completes the attack for this address',
        };
  if (destination === undefined) notes.push('target unknown: FlowSpec rules need the protected prefix added');
  return { flowspec, blackhole, firewall, notes };
}
