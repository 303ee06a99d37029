// Botnet evidence: payload IOC matches reported by the decoder, port signatures of known botnet
// attack methods, and the shape of a direct (not reflected, not spoofed) flood from many real
// hosts. See README "Botnet".
import type { ClassificationConfig } from '../config/schema.ts';
import type { TrafficDetail } from '../window/traffic-detail.ts';
import type { SourceAnalysis } from './source-analysis.ts';
import { pct, protocolTotal } from './vectors.ts';

export interface BotnetVerdict {
  detected: boolean;
  /** Signature ids: `ioc:<pattern>` or a port-signature id such as `mirai_vse`. */
  signatures: string[];
  reasons: string[];
}

interface PortSignature {
  id: string;
  /** Share of the relevant traffic that matches, 0..1, and what it was measured against. */
  share(d: TrafficDetail): { part: number; whole: number };
  minShare: number;
  what: string;
}

const dst = (d: TrafficDetail, port: number) => d.dstPorts.get(port)?.packets ?? 0;

// Only signatures specific enough not to fire on ordinary services.
const PORT_SIGNATURES: PortSignature[] = [
  {
    id: 'mirai_vse',
    share: (d) => ({ part: Math.min(dst(d, 27015), d.udp.packets), whole: d.udp.packets }),
    minShare: 0.5,
    what: 'UDP to port 27015 (Valve Source Engine query flood, Mirai/Gafgyt "vse")',
  },
  {
    id: 'mirai_gre',
    share: (d) => ({ part: d.gre.packets, whole: protocolTotal(d) }),
    minShare: 0.5,
    what: 'GRE packets (Mirai "greip"/"greeth" floods)',
  },
  {
    id: 'mirai_telnet_scan',
    share: (d) => ({ part: Math.min(dst(d, 23) + dst(d, 2323), d.tcpFlags.syn), whole: d.tcpFlags.syn }),
    minShare: 0.5,
    what: 'SYNs to telnet ports 23/2323 (Mirai-family scanning)',
  },
];

export function botnetVerdict(
  d: TrafficDetail,
  a: SourceAnalysis,
  ctx: { reflection: boolean; spoofed: boolean },
  cfg: ClassificationConfig,
): BotnetVerdict {
  const signatures: string[] = [];
  const reasons: string[] = [];
  const iocs = [...d.iocMatches.entries()].filter(([, n]) => n >= cfg.iocMinPackets).sort((x, y) => y[1] - x[1]);
  for (const [id, n] of iocs) {
    signatures.push(`ioc:${id}`);
    reasons.push(`IOC pattern ${id} matched ~${Math.round(n)} packets`);
  }
  for (const sig of PORT_SIGNATURES) {
    const { part, whole } = sig.share(d);
    if (whole > 0 && part / whole >= sig.minShare && part >= 20) {
      signatures.push(sig.id);
      reasons.push(`${pct(part, whole)} ${sig.what} → ${sig.id}`);
    }
  }
  if (!ctx.reflection && !ctx.spoofed && a.distinctSources >= cfg.botnetMinSources && a.ttlDistinct >= cfg.botnetMinTtlValues) {
    signatures.push('distributed_direct_flood');
    reasons.push(
      `direct flood from ${Math.round(a.distinctSources)} real sources (≥ ${cfg.botnetMinSources}) over ${a.ttlDistinct} TTL values (≥ ${cfg.botnetMinTtlValues}): many hosts on many paths → botnet`,
    );
  }
  return { detected: signatures.length > 0, signatures, reasons };
}
