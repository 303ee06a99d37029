// sFlow v5 (sflow.org/sflow_version_5.txt): flow samples and expanded flow samples become one
// record per sampled packet, scaled by the sample's rate; counter samples update the exporter's
// interface counters. Unknown sample and record formats are skipped by their length.
import type { FlowRecord } from '@breakwater/contracts';
import { DecodedPacket } from '@breakwater/packets';
import { u32 } from '../bytes.ts';
import { ipv4At, ipv4Text, ipv6At } from '../address.ts';
import type { Session } from '../session.ts';
import { decodeSampledHeader } from './raw-header.ts';
import { readCounterSample } from './counters.ts';

const FLOW_SAMPLE = 1;
const COUNTER_SAMPLE = 2;
const EXPANDED_FLOW_SAMPLE = 3;
const EXPANDED_COUNTER_SAMPLE = 4;

const RAW_HEADER = 1;
const SAMPLED_IPV4 = 3;
const SAMPLED_IPV6 = 4;
const EXTENDED_SWITCH = 1001;

/** One packet view for all sFlow datagrams: decodePacket refills it. */
const pkt = new DecodedPacket();

export function decodeSflowV5(s: Session, b: Uint8Array): void {
  const end = b.length;
  if (end < 28) {
    s.fail('truncated');
    return;
  }
  const addrType = u32(b, 4);
  let p = 8;
  let agent: string;
  if (addrType === 1) {
    agent = ipv4At(b, p);
    p += 4;
  } else if (addrType === 2) {
    if (end < 40) {
      s.fail('truncated');
      return;
    }
    agent = ipv6At(b, p);
    p += 16;
  } else {
    s.fail('bad_header');
    return;
  }
  const subAgent = u32(b, p);
  const samples = u32(b, p + 12);
  p += 16;
  s.exporter.samplingAlgorithm = 'random';
  for (let i = 0; i < samples; i++) {
    if (end - p < 8) {
      s.fail('truncated');
      return;
    }
    const format = u32(b, p);
    const len = u32(b, p + 4);
    p += 8;
    if (len > end - p) {
      s.fail('truncated');
      return;
    }
    const sampleEnd = p + len;
    // Enterprise 0 only: the top 20 bits are the enterprise.
    if (format === FLOW_SAMPLE || format === EXPANDED_FLOW_SAMPLE) readFlowSample(s, b, p, sampleEnd, format === EXPANDED_FLOW_SAMPLE, agent, subAgent);
    else if (format === COUNTER_SAMPLE || format === EXPANDED_COUNTER_SAMPLE) readCounterSample(s, b, p, sampleEnd, format === EXPANDED_COUNTER_SAMPLE);
    p = sampleEnd;
  }
}

function readFlowSample(s: Session, b: Uint8Array, p: number, end: number, expanded: boolean, agent: string, subAgent: number): void {
  const head = expanded ? 44 : 32;
  if (end - p < head) {
    s.fail('bad_sample');
    return;
  }
  const rate = u32(b, p + (expanded ? 12 : 8));
  let input: number;
  let output: number;
  if (expanded) {
    // Expanded form: a format word (0 = ifIndex) then a full 32-bit value.
    input = u32(b, p + 24) === 0 ? u32(b, p + 28) : 0;
    output = u32(b, p + 32) === 0 ? u32(b, p + 36) : 0;
  } else {
    // Compact form: top 2 bits say what the low 30 are; 0 means an ifIndex.
    const i = u32(b, p + 20);
    const o = u32(b, p + 24);
    input = i >>> 30 === 0 ? i & 0x3fffffff : 0;
    output = o >>> 30 === 0 ? o & 0x3fffffff : 0;
  }
  const records = u32(b, p + head - 4);
  p += head;
  const r = s.begin('sflow_v5', agent, subAgent, s.receivedAtMs);
  r.inputIf = input;
  r.outputIf = output;
  r.packetsRaw = 1;
  let decoded = false;
  let headerFailed = false;
  for (let i = 0; i < records; i++) {
    if (end - p < 8) {
      s.fail('bad_sample');
      return;
    }
    const format = u32(b, p);
    const len = u32(b, p + 4);
    p += 8;
    if (len > end - p) {
      s.fail('bad_sample');
      return;
    }
    if (format === RAW_HEADER) {
      if (len < 16) {
        s.fail('bad_sample');
        return;
      }
      const headerLen = u32(b, p + 12);
      if (headerLen > len - 16) {
        s.fail('bad_sample');
        return;
      }
      r.bytesRaw = u32(b, p + 4);
      if (decodeSampledHeader(u32(b, p), b, p + 16, headerLen, pkt)) {
        fromPacket(r);
        decoded = true;
      } else if (pkt.status !== 0) {
        headerFailed = true;
      }
    } else if (format === SAMPLED_IPV4 && !decoded && len >= 32) {
      r.bytesRaw ||= u32(b, p);
      r.ipProtocol = u32(b, p + 4) & 0xff;
      r.srcAddr = ipv4At(b, p + 8);
      r.dstAddr = ipv4At(b, p + 12);
      r.srcPort = u32(b, p + 16) & 0xffff;
      r.dstPort = u32(b, p + 20) & 0xffff;
      r.tcpFlags = u32(b, p + 24) & 0x1ff;
      r.tos = u32(b, p + 28) & 0xff;
      r.ipVersion = 4;
      decoded = true;
    } else if (format === SAMPLED_IPV6 && !decoded && len >= 56) {
      r.bytesRaw ||= u32(b, p);
      r.ipProtocol = u32(b, p + 4) & 0xff;
      r.srcAddr = ipv6At(b, p + 8);
      r.dstAddr = ipv6At(b, p + 24);
      r.srcPort = u32(b, p + 40) & 0xffff;
      r.dstPort = u32(b, p + 44) & 0xffff;
      r.tcpFlags = u32(b, p + 48) & 0x1ff;
      r.tos = u32(b, p + 52) & 0xff;
      r.ipVersion = 6;
      decoded = true;
    } else if (format === EXTENDED_SWITCH && len >= 16 && r.vlan === 0) {
      r.vlan = u32(b, p) & 0xfff;
    }
    p += len;
  }
  if (headerFailed && !decoded) {
    s.fail('bad_packet_header');
    return;
  }
  s.emit(rate, 'datagram');
}

function fromPacket(r: FlowRecord): void {
  const ip = pkt.ip;
  r.ipVersion = ip.version;
  if (ip.version === 4) {
    r.srcAddr = ipv4Text(ip.src4);
    r.dstAddr = ipv4Text(ip.dst4);
  } else {
    r.srcAddr = ipv6At(pkt.buf, ip.srcOffset);
    r.dstAddr = ipv6At(pkt.buf, ip.dstOffset);
  }
  r.ipProtocol = ip.protocol;
  r.srcPort = ip.srcPort;
  r.dstPort = ip.dstPort;
  // As NetFlow exporters do: ICMP type and code in the destination port.
  if (ip.transport && (ip.protocol === 1 || ip.protocol === 58)) r.dstPort = (ip.icmpType << 8) | ip.icmpCode;
  r.tcpFlags = ip.tcpFlags;
  r.fragment = ip.fragment;
  r.ttl = ip.ttl;
  r.tos = ip.tos;
  if (pkt.vlanCount > 0) r.vlan = pkt.vlan0;
}
