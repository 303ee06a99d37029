// A recommended mitigation for an incident, as plain data the mitigation adapters translate: FlowSpec
// rules (RFC 8955 match components), a blackhole of the target (RFC 7999 community), and local
// firewall rules, in the shapes contracts declares (recommendation.ts). The aim is to drop what the verdict pins down and rate-limit what legitimate
// traffic shares (SYN, ACK, DNS queries), never to drop a service's own traffic wholesale.
import { IP_PROTOCOLS as PROTO, parseAddress } from '@breakwater/contracts/plain';
import type { BlackholeRecommendation, FirewallRecommendation, FlowspecRecommendation, FlowspecRecommendationAction, FlowspecRecommendationMatch, MitigationRecommendation, TcpFlagName } from '@breakwater/contracts';
import type { Incident } from '../incident/incident.ts';

export interface RecommendOptions {
  /** Protected address; defaults to the incident's target. */
  target?: string;
  /** Uplink capacity: a peak above 80% of it makes the blackhole recommended. */
  linkBps?: number;
  /** Source lists are proposed only for at most this many, non-spoofed sources. */
  maxSources?: number;
}

function hostPrefix(target: string | undefined): string | undefined {
  const a = target === undefined ? undefined : parseAddress(target);
  if (!a || target === undefined) return undefined;
  return `${target}/${a.family === 4 ? 32 : 128}`;
}

export function recommendMitigation(incident: Incident, opts: RecommendOptions = {}): MitigationRecommendation {
  const destination = hostPrefix(opts.target ?? incident.target);
  const dst = destination === undefined ? {} : { destination };
  const flowspec: FlowspecRecommendation[] = [];
  const firewall: FirewallRecommendation[] = [];
  const notes: string[] = [];
  // Rate limits sized to what normal traffic needs: the learned p99, else a tenth of the threshold.
  const normalPps = Math.max(1, Math.round(incident.baseline.ppsPercentile || incident.threshold.value / 10));
  const avgPacketBits = incident.peakPps > 0 ? incident.peakBps / incident.peakPps : 8 * 500;
  const limitBps = Math.max(1_000_000, Math.round(normalPps * avgPacketBits));
  const add = (match: FlowspecRecommendationMatch, action: FlowspecRecommendationAction, fw: Omit<FirewallRecommendation, 'reason'>, reason: string) => {
    flowspec.push({ match: { ...dst, ...match }, action, reason });
    firewall.push({ ...fw, reason });
  };
  const limit = { type: 'rate-limit', bps: limitBps } as const;
  const discard = { type: 'discard' } as const;

  for (const v of incident.classification.vectors) {
    const amp = /^amp:(\d+)$/.exec(v.id);
    if (amp) {
      const port = Number(amp[1]);
      add({ protocol: [PROTO.udp], source_port: [port] }, discard, { action: 'drop', protocol: 'udp', src_ports: [port] }, `${v.subtype}: reflected UDP from source port ${port}`);
      continue;
    }
    switch (v.id) {
      case 'dns_query':
        add({ protocol: [PROTO.udp], destination_port: [53] }, limit, { action: 'rate_limit', protocol: 'udp', dst_ports: [53], rate_pps: normalPps }, 'dns_query_flood: queries share the port with legitimate ones, so limit rather than drop');
        break;
      case 'udp': {
        const port = incident.traffic.topDstPorts[0];
        const ports = port && port.count >= incident.traffic.totalPackets * 0.5 ? [port.port] : undefined;
        add({ protocol: [PROTO.udp], ...(ports ? { destination_port: ports } : {}) }, limit, { action: 'rate_limit', protocol: 'udp', ...(ports ? { dst_ports: ports } : {}), rate_pps: normalPps }, 'udp_flood: limit UDP to the target to its normal rate');
        break;
      }
      case 'fragments':
        add({ fragment: ['is-fragment'] }, discard, { action: 'drop', fragments: true }, 'fragment_flood: drop IP fragments to the target');
        break;
      case 'syn':
        add({ protocol: [PROTO.tcp], tcp_flags: ['syn', '!ack'] }, limit, { action: 'syn_cookies', protocol: 'tcp' }, `${v.subtype}: SYN cookies locally, SYN rate limit upstream (real clients also send SYN)`);
        break;
      case 'xmas':
      case 'null':
        add({ protocol: [PROTO.tcp], tcp_flags: v.id === 'xmas' ? ['fin', 'psh', 'urg'] : ['!syn', '!ack', '!fin', '!rst', '!psh', '!urg'] }, discard, { action: 'drop', protocol: 'tcp', tcp_flags: v.id === 'xmas' ? { set: ['fin', 'psh', 'urg'], unset: [] } : { set: [], unset: ['syn', 'ack', 'fin', 'rst', 'psh', 'urg'] } }, `${v.subtype}: no legitimate TCP packet looks like this`);
        break;
      case 'synack':
      case 'rst':
      case 'fin':
      case 'urg':
      case 'ack':
      case 'psh': {
        const flag: TcpFlagName[] = v.id === 'synack' ? ['syn', 'ack'] : v.id === 'psh' ? ['psh', 'ack'] : [v.id];
        add({ protocol: [PROTO.tcp], tcp_flags: flag }, limit, { action: 'rate_limit', protocol: 'tcp', tcp_flags: { set: flag, unset: [] }, rate_pps: normalPps }, `${v.subtype}: limit (established connections use these flags too)`);
        break;
      }
      case 'http':
        // Per source: one address may not send more than ~10 packets per normal request rate.
        firewall.push({ action: 'rate_limit', protocol: 'tcp', dst_ports: [80, 443], rate_pps: Math.max(100, Math.round(normalPps * 10)), per_source: true, reason: `${v.subtype}: per-source rate limit on the web ports (nftables meter); needs layer-7 filtering (WAF/UAM or scrubbing) to be clean` });
        notes.push('HTTP floods look like real requests at L3/L4: FlowSpec cannot separate them, scrubbing or a WAF can.');
        notes.push(`${v.subtype}: runbook step: turn on the WAF / "under attack" mode (cloudflare_uam) for the site, or rate-limit the hammered URIs in the web server`);
        break;
      case 'icmp':
        add({ protocol: [PROTO.icmp] }, limit, { action: 'rate_limit', protocol: 'icmp', rate_pps: Math.min(normalPps, 1000) }, 'icmp_flood: limit ICMP (keep some for path MTU discovery)');
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
  const layer7 = incident.attackFamily === 'http_flood';
  if (!incident.spoofingDetected && !reflected && t.sourceIpCount > 0 && t.sourceIpCount <= maxSources && covered >= 0.8 * t.totalPackets) {
    const sources = t.topSrcIps.map((s) => hostPrefix(s.ip)).filter((s): s is string => s !== undefined);
    if (sources.length > 0) {
      if (!layer7) flowspec.push({ match: { ...dst, source: sources }, action: discard, reason: `${sources.length} real sources carry ${Math.round((100 * covered) / Math.max(1, t.totalPackets))}% of packets` });
      firewall.push({ action: 'drop', sources: t.topSrcIps.map((s) => s.ip), reason: 'few, non-spoofed sources' });
    }
  }
  // Never a FlowSpec rule for an L7 flood: at L3/L4 its packets are the site's real traffic.
  if (layer7) flowspec.length = 0;
  if (flowspec.length === 0 && firewall.length === 0) notes.push('the verdict pins no filterable vector down');

  const overLink = opts.linkBps !== undefined && incident.peakBps >= 0.8 * opts.linkBps;
  const blackhole: BlackholeRecommendation | undefined =
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
