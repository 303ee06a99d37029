// sFlow v5 datagrams built byte by byte (sflow.org/sflow_version_5.txt), for what the exporters
// here cannot make: expanded samples, IPv6 agents, sampled IPv4/IPv6 records, chosen counters.
import { concat, parseIpv4, parseIpv6, u32 } from '@breakwater/packets/testing';

function u64(v: number): Uint8Array {
  return concat(u32(Math.floor(v / 4294967296)), u32(v >>> 0));
}

function pad4(b: Uint8Array): Uint8Array {
  const rest = b.length % 4;
  return rest === 0 ? b : concat(b, new Uint8Array(4 - rest));
}

function tlv(format: number, body: Uint8Array): Uint8Array {
  return concat(u32(format), u32(body.length), body);
}

export function sflowDatagram(opts: { agent: string; subAgent?: number; sequence?: number; uptimeMs?: number; samples: readonly Uint8Array[] }): Uint8Array {
  const v6 = opts.agent.includes(':');
  return concat(
    u32(5),
    u32(v6 ? 2 : 1),
    v6 ? parseIpv6(opts.agent) : parseIpv4(opts.agent),
    u32(opts.subAgent ?? 0),
    u32(opts.sequence ?? 1),
    u32(opts.uptimeMs ?? 0),
    u32(opts.samples.length),
    ...opts.samples,
  );
}

export interface FlowSampleSpec {
  rate: number;
  records: readonly Uint8Array[];
  sequence?: number;
  sourceIndex?: number;
  pool?: number;
  drops?: number;
  input?: number;
  output?: number;
  expanded?: boolean;
}

export function sflowFlowSample(s: FlowSampleSpec): Uint8Array {
  const common = (rate: number) => concat(u32(rate), u32(s.pool ?? 0), u32(s.drops ?? 0));
  if (s.expanded) {
    const body = concat(u32(s.sequence ?? 1), u32(0), u32(s.sourceIndex ?? 1), common(s.rate), u32(0), u32(s.input ?? 0), u32(0), u32(s.output ?? 0), u32(s.records.length), ...s.records);
    return tlv(3, body);
  }
  const body = concat(u32(s.sequence ?? 1), u32(s.sourceIndex ?? 1), common(s.rate), u32(s.input ?? 0), u32(s.output ?? 0), u32(s.records.length), ...s.records);
  return tlv(1, body);
}

/** Raw packet header record; header protocol 1 Ethernet, 11 IPv4, 12 IPv6, 13 MPLS. */
export function sflowRawHeader(headerProtocol: number, header: Uint8Array, frameLength = header.length + 4, stripped = 4): Uint8Array {
  return tlv(1, concat(u32(headerProtocol), u32(frameLength), u32(stripped), u32(header.length), pad4(header)));
}

export function sflowSampledIpv4(r: { length: number; protocol: number; src: string; dst: string; srcPort: number; dstPort: number; tcpFlags?: number; tos?: number }): Uint8Array {
  return tlv(3, concat(u32(r.length), u32(r.protocol), parseIpv4(r.src), parseIpv4(r.dst), u32(r.srcPort), u32(r.dstPort), u32(r.tcpFlags ?? 0), u32(r.tos ?? 0)));
}

export function sflowSampledIpv6(r: { length: number; protocol: number; src: string; dst: string; srcPort: number; dstPort: number; tcpFlags?: number; priority?: number }): Uint8Array {
  return tlv(4, concat(u32(r.length), u32(r.protocol), parseIpv6(r.src), parseIpv6(r.dst), u32(r.srcPort), u32(r.dstPort), u32(r.tcpFlags ?? 0), u32(r.priority ?? 0)));
}

export function sflowExtendedSwitch(srcVlan: number, dstVlan = srcVlan): Uint8Array {
  return tlv(1001, concat(u32(srcVlan), u32(0), u32(dstVlan), u32(0)));
}

export interface InterfaceCountersSpec {
  ifIndex: number;
  ifSpeed?: number;
  inOctets?: number;
  inUcast?: number;
  inDiscards?: number;
  inErrors?: number;
  outOctets?: number;
  outUcast?: number;
  outDiscards?: number;
  outErrors?: number;
}

export function sflowGenericInterface(c: InterfaceCountersSpec): Uint8Array {
  return tlv(
    1,
    concat(
      u32(c.ifIndex),
      u32(6),
      u64(c.ifSpeed ?? 1e9),
      u32(1),
      u32(3),
      u64(c.inOctets ?? 0),
      u32(c.inUcast ?? 0),
      u32(0),
      u32(0),
      u32(c.inDiscards ?? 0),
      u32(c.inErrors ?? 0),
      u32(0),
      u64(c.outOctets ?? 0),
      u32(c.outUcast ?? 0),
      u32(0),
      u32(0),
      u32(c.outDiscards ?? 0),
      u32(c.outErrors ?? 0),
      u32(0),
    ),
  );
}

export function sflowCounterSample(s: { records: readonly Uint8Array[]; sequence?: number; sourceIndex?: number; expanded?: boolean }): Uint8Array {
  if (s.expanded) return tlv(4, concat(u32(s.sequence ?? 1), u32(0), u32(s.sourceIndex ?? 1), u32(s.records.length), ...s.records));
  return tlv(2, concat(u32(s.sequence ?? 1), u32(s.sourceIndex ?? 1), u32(s.records.length), ...s.records));
}

/** An unknown enterprise sample or record, which decoders must skip by its length. */
export function sflowOpaque(enterprise: number, format: number, body: Uint8Array): Uint8Array {
  return tlv(((enterprise << 12) | format) >>> 0, pad4(body));
}
