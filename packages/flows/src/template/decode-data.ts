// Data records of a NetFlow v9 / IPFIX data set, read through a compiled template: flow records
// are emitted, options records update the exporter's sampling and time base.
import { u16, u32, uint } from '../bytes.ts';
import { ipv4Text, ipv6At } from '../address.ts';
import type { Session } from '../session.ts';
import { Act } from './field-actions.ts';
import { VARIABLE_LENGTH, type Template } from './template.ts';
import type { DomainInfo } from '../exporter-state.ts';

/** Export time and (NetFlow v9) the exporter's uptime at export, from the datagram header. */
export interface TimeBase {
  exportSec: number;
  /** NetFlow v9 sysUpTime in ms; -1 for IPFIX. */
  uptimeMs: number;
  receivedAtMs: number;
}

/** Reads one data set's records; `end` excludes the set's padding only as far as it can tell. */
export function decodeDataSet(s: Session, t: Template, b: Uint8Array, off: number, end: number, time: TimeBase): void {
  const len = end - off;
  if (t.recordLength > 0) {
    const whole = Math.floor(len / t.recordLength);
    const rest = len - whole * t.recordLength;
    // Sets are padded to 4 bytes at most; more left over means the template does not fit the data.
    if (whole === 0 || rest > 3) {
      s.fail('template_length_mismatch');
      return;
    }
    end = off + whole * t.recordLength;
  }
  const ex = s.exporter;
  const info = ex.domain(t.protocol, t.domain, t.options, s.limits.maxTemplatesPerExporter);
  let p = off;
  // Variable-length records: stop when what is left cannot hold one (it is padding).
  const minLength = t.recordLength > 0 ? t.recordLength : minimumLength(t);
  while (end - p >= minLength) {
    const next = t.options ? readOptionsRecord(s, t, b, p, end, info!) : readFlowRecord(s, t, b, p, end, time, info);
    if (next < 0) {
      s.fail('truncated');
      return;
    }
    p = next;
  }
}

function minimumLength(t: Template): number {
  let n = 0;
  for (let i = 0; i < t.lengths.length; i++) n += t.lengths[i] === VARIABLE_LENGTH ? 1 : t.lengths[i]!;
  return n;
}

/** Returns the offset after the record, or -1 when it runs past `end`. */
function readFlowRecord(s: Session, t: Template, b: Uint8Array, p: number, end: number, time: TimeBase, info: DomainInfo | undefined): number {
  const r = s.begin(t.protocol, s.exporter.address, t.domain, time.receivedAtMs);
  const actions = t.actions;
  const lengths = t.lengths;
  let bytesDelta = -1;
  let packetsDelta = -1;
  let bytesTotal = -1;
  let packetsTotal = -1;
  let startUp = -1;
  let endUp = -1;
  let startAbs = -1;
  let endAbs = -1;
  let startDelta = -1;
  let endDelta = -1;
  let rate = 0;
  let space = -1;
  let samplerId = -1;
  let fragFlags = 0;
  let fragOffset = 0;
  let minTtl = 0;
  let icmp = -1;
  for (let i = 0; i < actions.length; i++) {
    let l = lengths[i]!;
    if (l === VARIABLE_LENGTH) {
      if (p >= end) return -1;
      l = b[p++]!;
      if (l === 255) {
        if (p + 2 > end) return -1;
        l = u16(b, p);
        p += 2;
      }
    }
    if (p + l > end) return -1;
    switch (actions[i]) {
      case Act.skip:
        break;
      case Act.bytes:
        bytesDelta = uint(b, p, l);
        break;
      case Act.packets:
        packetsDelta = uint(b, p, l);
        break;
      case Act.bytesTotal:
        bytesTotal = uint(b, p, l);
        break;
      case Act.packetsTotal:
        packetsTotal = uint(b, p, l);
        break;
      case Act.protocol:
        r.ipProtocol = b[p + l - 1]!;
        break;
      case Act.tos:
        r.tos = b[p + l - 1]!;
        break;
      case Act.tcpFlags:
        r.tcpFlags = l === 1 ? b[p]! : u16(b, p + l - 2) & 0x1ff;
        break;
      case Act.srcPort:
        r.srcPort = uint(b, p, l) & 0xffff;
        break;
      case Act.dstPort:
        r.dstPort = uint(b, p, l) & 0xffff;
        break;
      case Act.src4:
        r.srcAddr = ipv4Text(u32(b, p));
        r.ipVersion = 4;
        break;
      case Act.dst4:
        r.dstAddr = ipv4Text(u32(b, p));
        r.ipVersion = 4;
        break;
      case Act.src6:
        r.srcAddr = ipv6At(b, p);
        r.ipVersion = 6;
        break;
      case Act.dst6:
        r.dstAddr = ipv6At(b, p);
        r.ipVersion = 6;
        break;
      case Act.inputIf:
        r.inputIf = uint(b, p, l);
        break;
      case Act.outputIf:
        r.outputIf = uint(b, p, l);
        break;
      case Act.startUptime:
        startUp = uint(b, p, l);
        break;
      case Act.endUptime:
        endUp = uint(b, p, l);
        break;
      case Act.startSec:
        startAbs = uint(b, p, l) * 1000;
        break;
      case Act.endSec:
        endAbs = uint(b, p, l) * 1000;
        break;
      case Act.startMs:
        startAbs = uint(b, p, l);
        break;
      case Act.endMs:
        endAbs = uint(b, p, l);
        break;
      case Act.startNtp:
        startAbs = ntpMs(b, p);
        break;
      case Act.endNtp:
        endAbs = ntpMs(b, p);
        break;
      case Act.startDeltaUs:
        startDelta = uint(b, p, l);
        break;
      case Act.endDeltaUs:
        endDelta = uint(b, p, l);
        break;
      case Act.vlan:
        r.vlan = uint(b, p, l) & 0xfff;
        break;
      case Act.ttl:
        r.ttl = b[p + l - 1]!;
        break;
      case Act.minTtl:
        minTtl = b[p + l - 1]!;
        break;
      case Act.samplingInterval:
      case Act.samplerRandomInterval:
        rate = uint(b, p, l);
        break;
      case Act.samplingSpace:
        space = uint(b, p, l);
        break;
      case Act.samplerId:
        samplerId = uint(b, p, l);
        break;
      case Act.fragmentFlags:
        fragFlags = b[p + l - 1]!;
        break;
      case Act.fragmentOffset:
        fragOffset = uint(b, p, l);
        break;
      case Act.icmpTypeCode:
        icmp = uint(b, p, l) & 0xffff;
        break;
      default:
        break;
    }
    p += l;
  }
  r.packetsRaw = packetsDelta >= 0 ? packetsDelta : packetsTotal >= 0 ? packetsTotal : 0;
  r.bytesRaw = bytesDelta >= 0 ? bytesDelta : bytesTotal >= 0 ? bytesTotal : 0;
  if (r.ttl === 0) r.ttl = minTtl;
  // fragmentFlags bit 2 is "more fragments" (IANA IE 197); any offset also means a fragment.
  r.fragment = (fragFlags & 0x04) !== 0 || (fragOffset & 0x1fff) !== 0;
  if (icmp >= 0 && r.dstPort === 0) r.dstPort = icmp;
  setTimes(r, time, info, startUp, endUp, startAbs, endAbs, startDelta, endDelta);
  if (rate > 0) {
    if (space >= 0) rate = (rate + space) / rate;
    s.emit(rate, 'datagram');
  } else if (info !== undefined && info.rate > 0) {
    s.emit(samplerId >= 0 ? (info.rates.get(samplerId) ?? info.rate) : info.rate, 'options');
  } else {
    s.emit(1, 'none');
  }
  return p;
}

function setTimes(
  r: { startMs: number; endMs: number },
  time: TimeBase,
  info: DomainInfo | undefined,
  startUp: number,
  endUp: number,
  startAbs: number,
  endAbs: number,
  startDelta: number,
  endDelta: number,
): void {
  const exportMs = time.exportSec > 0 ? time.exportSec * 1000 : time.receivedAtMs;
  if (startAbs >= 0) r.startMs = startAbs;
  else if (startDelta >= 0) r.startMs = exportMs - startDelta / 1000;
  else if (startUp >= 0) r.startMs = uptimeToMs(startUp, time, info, exportMs);
  if (endAbs >= 0) r.endMs = endAbs;
  else if (endDelta >= 0) r.endMs = exportMs - endDelta / 1000;
  else if (endUp >= 0) r.endMs = uptimeToMs(endUp, time, info, exportMs);
  else if (startAbs >= 0 || startUp >= 0 || startDelta >= 0) r.endMs = Math.max(r.startMs, exportMs);
  if (r.startMs > r.endMs) r.startMs = r.endMs;
}

function uptimeToMs(v: number, time: TimeBase, info: DomainInfo | undefined, exportMs: number): number {
  // NetFlow v9: relative to sysUpTime at export (signed difference survives wrapping).
  if (time.uptimeMs >= 0) return exportMs - ((time.uptimeMs - v) | 0);
  // IPFIX: relative to systemInitTimeMilliseconds from options data, when the exporter sent it.
  if (info !== undefined && info.systemInitMs >= 0) return info.systemInitMs + v;
  return time.receivedAtMs;
}

/** NTP timestamp (seconds since 1900, 2^-32 fractions) to Unix ms. */
function ntpMs(b: Uint8Array, p: number): number {
  return (u32(b, p) - 2208988800) * 1000 + Math.floor((u32(b, p + 4) / 4294967296) * 1000);
}

function readOptionsRecord(s: Session, t: Template, b: Uint8Array, p: number, end: number, info: DomainInfo): number {
  let interval = 0;
  let space = -1;
  let size = 0;
  let population = 0;
  let samplerId = 0;
  let algorithm: string | null = null;
  for (let i = 0; i < t.actions.length; i++) {
    let l = t.lengths[i]!;
    if (l === VARIABLE_LENGTH) {
      if (p >= end) return -1;
      l = b[p++]!;
      if (l === 255) {
        if (p + 2 > end) return -1;
        l = u16(b, p);
        p += 2;
      }
    }
    if (p + l > end) return -1;
    const id = t.ids[i]!;
    switch (t.actions[i]) {
      case Act.samplingInterval:
      case Act.samplerRandomInterval:
        interval = uint(b, p, l);
        break;
      case Act.samplingSpace:
        space = uint(b, p, l);
        break;
      case Act.samplingSize:
        size = uint(b, p, l);
        break;
      case Act.samplingPopulation:
        population = uint(b, p, l);
        break;
      case Act.samplerId:
        samplerId = uint(b, p, l);
        break;
      case Act.samplingAlgorithm:
        algorithm = samplingAlgorithmName(id, uint(b, p, l));
        break;
      case Act.systemInitMs:
        info.systemInitMs = uint(b, p, l);
        break;
      default:
        break;
    }
    p += l;
  }
  let rate = 0;
  if (interval > 0) rate = space >= 0 ? (interval + space) / interval : interval;
  else if (size > 0 && population > 0) rate = population / size;
  if (rate >= 1) {
    info.rate = rate;
    if (info.rates.size < 256 || info.rates.has(samplerId)) info.rates.set(samplerId, rate);
  }
  if (algorithm !== null) {
    info.algorithm = algorithm;
    s.exporter.samplingAlgorithm = algorithm;
  }
  return p;
}

/** NetFlow v9 SAMPLING_ALGORITHM / IPFIX samplerMode: 1 deterministic, 2 random; selectorAlgorithm (304): 1–2 systematic, 3+ random. */
function samplingAlgorithmName(id: number, v: number): string | null {
  if (id === 304) return v === 1 || v === 2 ? 'deterministic' : v >= 3 ? 'random' : null;
  return v === 1 ? 'deterministic' : v === 2 ? 'random' : null;
}
