// Which destinations of a capture to analyse as protected targets, when none is given.
//
// Rule: a destination is a candidate when it received at least `minShare` (10%) of the packets or
// bytes of some second of the capture; the busiest `maxTargets` (by that second's packets) are
// kept. A share of a second, not of the file, so that a short attack inside a long capture of
// other traffic still qualifies. Multicast and broadcast destinations are never targets.
//
// Backscatter: a capture taken on the victim also holds the victim's own answers — RSTs to an ACK
// flood, echo replies to a ping flood, SYN-ACKs, ICMP errors. Those flow to the attacker at the
// attack's rate, and analysing them as "an RST flood against the attacker" would be wrong. So a
// candidate whose received packets are mostly such replies (≥ 50%), sent mostly by another kept
// candidate, is dropped, with the reason in the report. A victim of a real RST or SYN-ACK flood is
// kept: its senders receive little or nothing and are no candidates.
import { DecodedPacket, IpProto, TcpFlag, decodePacket, formatIp } from '@breakwater/packets';
import type { CaptureRecord } from '@breakwater/packets';

export interface TargetCandidate {
  address: string;
  packets: number;
  bytes: number;
  /** Packets in its busiest second, and that second's share of all packets. */
  peakSecondPackets: number;
  peakShare: number;
  replyPackets: number;
  /** Main sender of the replies it received (Misra-Gries, k = 1). */
  replySender: string | undefined;
}

export interface SkippedTarget {
  address: string;
  reason: string;
}

export interface TargetChoice {
  targets: TargetCandidate[];
  skipped: SkippedTarget[];
}

interface DstCount {
  packets: number;
  bytes: number;
  peakSecondPackets: number;
  peakShare: number;
  qualified: boolean;
  replyPackets: number;
  replySender: string | undefined;
  replySenderCount: number;
}

/** Destinations tracked before the ones that never qualified are dropped. */
const MAX_TRACKED = 100_000;

interface SecondCount {
  packets: number;
  bytes: number;
}

/** ICMP types that answer something: echo reply, unreachable, source quench, redirect, time exceeded, parameter problem. */
const ICMP4_REPLIES = new Set([0, 3, 4, 5, 11, 12]);
/** ICMPv6: errors (1-4) and echo reply (129). */
const ICMP6_REPLIES = new Set([1, 2, 3, 4, 129]);

function isReply(p: DecodedPacket): boolean {
  const l = p.ip;
  if (l.protocol === IpProto.tcp && l.transport) {
    const f = l.tcpFlags;
    return (f & TcpFlag.rst) !== 0 || (f & (TcpFlag.syn | TcpFlag.ack)) === (TcpFlag.syn | TcpFlag.ack);
  }
  if (l.protocol === IpProto.icmp && l.transport) return ICMP4_REPLIES.has(l.icmpType);
  if (l.protocol === IpProto.icmpv6 && l.transport) return ICMP6_REPLIES.has(l.icmpType);
  return false;
}

/** Multicast and broadcast destinations are no protected host (MLD, mDNS, ARP-era broadcasts). */
function isGroupAddress(a: string): boolean {
  if (a.includes(':')) return a.toLowerCase().startsWith('ff');
  const first = Number(a.slice(0, a.indexOf('.')));
  return (first >= 224 && first <= 239) || a === '255.255.255.255';
}

export class TargetCounter {
  readonly #minShare: number;
  readonly #all = new Map<string, DstCount>();
  #second = Number.NaN;
  #inSecond = new Map<string, SecondCount>();
  #secondPackets = 0;
  #secondBytes = 0;
  readonly #pkt = new DecodedPacket();

  constructor(minShare: number) {
    this.#minShare = minShare;
  }

  add(rec: CaptureRecord): void {
    const sec = Math.floor(rec.tsMs / 1000);
    if (sec !== this.#second) {
      this.#closeSecond();
      this.#second = sec;
    }
    const wire = rec.origlen > rec.caplen ? rec.origlen : rec.caplen;
    this.#secondPackets++;
    this.#secondBytes += wire;
    const p = this.#pkt;
    decodePacket(rec.linktype, rec.buf, rec.offset, rec.caplen, p);
    const l = p.ip;
    if (l.version !== 4 && l.version !== 6) return;
    const dst = formatIp(p.buf, l.dstOffset, l.version);
    let s = this.#inSecond.get(dst);
    if (s === undefined) {
      s = { packets: 0, bytes: 0 };
      this.#inSecond.set(dst, s);
    }
    s.packets++;
    s.bytes += wire;
    if (isReply(p)) {
      const d = this.#entry(dst);
      d.replyPackets++;
      const src = formatIp(p.buf, l.srcOffset, l.version);
      if (d.replySender === src) d.replySenderCount++;
      else if (d.replySenderCount === 0) {
        d.replySender = src;
        d.replySenderCount = 1;
      } else d.replySenderCount--;
    }
  }

  #entry(dst: string): DstCount {
    let d = this.#all.get(dst);
    if (d === undefined) {
      d = { packets: 0, bytes: 0, peakSecondPackets: 0, peakShare: 0, qualified: false, replyPackets: 0, replySender: undefined, replySenderCount: 0 };
      this.#all.set(dst, d);
    }
    return d;
  }

  #closeSecond(): void {
    const total = this.#secondPackets;
    const bytes = this.#secondBytes;
    for (const [dst, s] of this.#inSecond) {
      const share = Math.max(total > 0 ? s.packets / total : 0, bytes > 0 ? s.bytes / bytes : 0);
      // Destinations that never qualify are only kept while they have replies to count: a
      // random-destination capture must not keep one entry per address.
      const d = share >= this.#minShare || this.#all.size < MAX_TRACKED ? this.#entry(dst) : this.#all.get(dst);
      if (d === undefined) continue;
      d.packets += s.packets;
      d.bytes += s.bytes;
      if (share >= this.#minShare) {
        d.qualified = true;
        if (s.packets > d.peakSecondPackets) {
          d.peakSecondPackets = s.packets;
          d.peakShare = share;
        }
      }
    }
    this.#inSecond = new Map();
    this.#secondPackets = 0;
    this.#secondBytes = 0;
    // Bound memory under backscatter to random destinations: drop unqualified reply-only entries.
    if (this.#all.size > MAX_TRACKED) for (const [k, d] of this.#all) if (!d.qualified) this.#all.delete(k);
  }

  choose(maxTargets: number): TargetChoice {
    this.#closeSecond();
    const candidates = [...this.#all.entries()]
      .filter(([address, d]) => d.qualified && !isGroupAddress(address))
      .sort((a, b) => b[1].peakSecondPackets - a[1].peakSecondPackets || b[1].packets - a[1].packets)
      .map(([address, d]): TargetCandidate => ({
        address,
        packets: d.packets,
        bytes: d.bytes,
        peakSecondPackets: d.peakSecondPackets,
        peakShare: d.peakShare,
        replyPackets: d.replyPackets,
        replySender: d.replySenderCount > 0 ? d.replySender : undefined,
      }));
    const mostlyReplies = (c: TargetCandidate) => c.packets > 0 && c.replyPackets / c.packets >= 0.5;
    const primary = new Set(candidates.filter((c) => !mostlyReplies(c)).map((c) => c.address));
    const skipped: SkippedTarget[] = [];
    const kept: TargetCandidate[] = [];
    for (const c of candidates) {
      if (mostlyReplies(c) && c.replySender !== undefined && primary.has(c.replySender)) {
        const pct = Math.round((100 * c.replyPackets) / c.packets);
        skipped.push({ address: c.address, reason: `${pct}% of what it received are replies (RST, SYN-ACK, ICMP echo reply/errors) from ${c.replySender}, itself a target: backscatter of a capture taken at ${c.replySender}` });
      } else if (kept.length >= maxTargets) {
        skipped.push({ address: c.address, reason: `beyond maxTargets (${maxTargets}); name it with target to analyse it` });
      } else kept.push(c);
    }
    return { targets: kept, skipped };
  }
}
