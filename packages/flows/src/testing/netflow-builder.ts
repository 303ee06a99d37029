// NetFlow v9 and IPFIX datagrams built byte by byte, for template behaviour tests, fuzz seeds
// and benchmark traffic. Not for the hot path: every call allocates.
import { concat, parseIpv4, parseIpv6, u16, u32 } from '@breakwater/packets/testing';

export interface FieldSpec {
  id: number;
  /** 65535 = variable length (IPFIX). */
  length: number;
  /** IPFIX enterprise number; the field gets the enterprise bit. */
  enterprise?: number;
}

export interface TemplateSpec {
  id: number;
  fields: FieldSpec[];
  /** Options templates: how many of `fields` are scope fields (first). */
  scopeCount?: number;
}

/** A value per field: a number (big-endian in the field's length), an address, or raw bytes. */
export type FieldValue = number | string | Uint8Array;

function pad4(b: Uint8Array): Uint8Array {
  const rest = b.length % 4;
  return rest === 0 ? b : concat(b, new Uint8Array(4 - rest));
}

function set(id: number, body: Uint8Array, pad = true): Uint8Array {
  const b = pad ? pad4(body) : body;
  return concat(u16(id), u16(b.length + 4), b);
}

export function encodeField(f: FieldSpec, v: FieldValue): Uint8Array {
  if (typeof v === 'string') return v.includes(':') ? parseIpv6(v) : parseIpv4(v);
  if (v instanceof Uint8Array) {
    if (f.length !== 65535) return v;
    return v.length < 255 ? concat(Uint8Array.of(v.length), v) : concat(Uint8Array.of(255), u16(v.length), v);
  }
  const out = new Uint8Array(f.length === 65535 ? 8 : f.length);
  let x = v;
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = x % 256;
    x = Math.floor(x / 256);
  }
  return f.length === 65535 ? concat(Uint8Array.of(8), out) : out;
}

export function dataRecord(fields: readonly FieldSpec[], values: readonly FieldValue[]): Uint8Array {
  return concat(...fields.map((f, i) => encodeField(f, values[i] ?? 0)));
}

export function dataSet(templateId: number, records: readonly Uint8Array[], pad = true): Uint8Array {
  return set(templateId, concat(...records), pad);
}

// ---- IPFIX (RFC 7011)

export function ipfixTemplateSet(templates: readonly TemplateSpec[]): Uint8Array {
  return set(2, concat(...templates.map((t) => concat(u16(t.id), u16(t.fields.length), ...t.fields.map(ipfixFieldSpec)))), false);
}

export function ipfixOptionsTemplateSet(templates: readonly TemplateSpec[]): Uint8Array {
  return set(3, concat(...templates.map((t) => concat(u16(t.id), u16(t.fields.length), u16(t.scopeCount ?? 1), ...t.fields.map(ipfixFieldSpec)))));
}

/** A template withdrawal (field count 0); id 2 (or 3 with options) withdraws them all. */
export function ipfixWithdrawal(ids: readonly number[], options = false): Uint8Array {
  return set(options ? 3 : 2, concat(...ids.map((id) => concat(u16(id), u16(0)))), false);
}

function ipfixFieldSpec(f: FieldSpec): Uint8Array {
  if (f.enterprise === undefined) return concat(u16(f.id), u16(f.length));
  return concat(u16(0x8000 | f.id), u16(f.length), u32(f.enterprise));
}

export function ipfixMessage(opts: { domain: number; exportSec: number; sequence?: number; sets: readonly Uint8Array[] }): Uint8Array {
  const body = concat(...opts.sets);
  return concat(u16(10), u16(16 + body.length), u32(opts.exportSec), u32(opts.sequence ?? 0), u32(opts.domain), body);
}

// ---- NetFlow v9 (RFC 3954)

export function v9TemplateSet(templates: readonly TemplateSpec[]): Uint8Array {
  return set(0, concat(...templates.map((t) => concat(u16(t.id), u16(t.fields.length), ...t.fields.map((f) => concat(u16(f.id), u16(f.length)))))), false);
}

/** Scope fields are the first `scopeCount` fields (v9 scope types: 1 system, 2 interface…). */
export function v9OptionsTemplateSet(templates: readonly TemplateSpec[]): Uint8Array {
  return set(
    1,
    concat(
      ...templates.map((t) => {
        const scope = t.scopeCount ?? 1;
        const spec = t.fields.map((f) => concat(u16(f.id), u16(f.length)));
        return concat(u16(t.id), u16(scope * 4), u16((t.fields.length - scope) * 4), ...spec);
      }),
    ),
  );
}

export function v9Packet(opts: { sourceId: number; exportSec: number; uptimeMs: number; sequence?: number; sets: readonly Uint8Array[] }): Uint8Array {
  return concat(u16(9), u16(opts.sets.length), u32(opts.uptimeMs), u32(opts.exportSec), u32(opts.sequence ?? 0), u32(opts.sourceId), ...opts.sets);
}

/** IANA information elements used by tests and benches. */
export const IE = {
  octetDeltaCount: 1,
  packetDeltaCount: 2,
  protocolIdentifier: 4,
  ipClassOfService: 5,
  tcpControlBits: 6,
  sourceTransportPort: 7,
  sourceIPv4Address: 8,
  ingressInterface: 10,
  destinationTransportPort: 11,
  destinationIPv4Address: 12,
  egressInterface: 14,
  flowEndSysUpTime: 21,
  flowStartSysUpTime: 22,
  sourceIPv6Address: 27,
  destinationIPv6Address: 28,
  samplingInterval: 34,
  samplingAlgorithm: 35,
  samplerId: 48,
  vlanId: 58,
  flowStartMilliseconds: 152,
  flowEndMilliseconds: 153,
  systemInitTimeMilliseconds: 160,
  ipTTL: 192,
  fragmentFlags: 197,
  samplingPacketInterval: 305,
  samplingPacketSpace: 306,
  selectorAlgorithm: 304,
  applicationName: 96,
} as const;

/** A typical IPv4 flow template (IPFIX or v9) and a value list for it. */
export const V4_FLOW_FIELDS: FieldSpec[] = [
  { id: IE.sourceIPv4Address, length: 4 },
  { id: IE.destinationIPv4Address, length: 4 },
  { id: IE.sourceTransportPort, length: 2 },
  { id: IE.destinationTransportPort, length: 2 },
  { id: IE.protocolIdentifier, length: 1 },
  { id: IE.tcpControlBits, length: 1 },
  { id: IE.packetDeltaCount, length: 4 },
  { id: IE.octetDeltaCount, length: 4 },
];

export function v4Flow(src: string, dst: string, srcPort: number, dstPort: number, protocol: number, flags: number, packets: number, bytes: number): Uint8Array {
  return dataRecord(V4_FLOW_FIELDS, [src, dst, srcPort, dstPort, protocol, flags, packets, bytes]);
}
