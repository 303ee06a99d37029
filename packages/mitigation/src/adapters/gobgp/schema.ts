// Our own minimal schema for the part of GoBGP's gRPC API (package apipb, service GobgpApi)
// Breakwater uses. Field numbers were read from the gobgp.proto and attribute.proto that Debian's
// golang-github-osrg-gobgp-dev 3.10 ships; names and shapes here are written for our needs
// (enums as int32, unused fields left out: protobuf skips unknown fields on decode).
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package apipb;

// Wire-identical to google.protobuf.Any / Empty.
message Any { string type_url = 1; bytes value = 2; }
message Empty {}

message Family { int32 afi = 1; int32 safi = 2; }

message Path {
  Any nlri = 1;
  repeated Any pattrs = 2;
  bool best = 4;
  bool is_withdraw = 5;
  Family family = 9;
  uint32 source_asn = 10;
  string source_id = 11;
  bool is_from_external = 14;
  string neighbor_ip = 15;
  bytes uuid = 16;
}
message Destination { string prefix = 1; repeated Path paths = 2; }

message AddPathRequest { int32 table_type = 1; string vrf_id = 2; Path path = 3; }
message AddPathResponse { bytes uuid = 1; }
message DeletePathRequest { int32 table_type = 1; string vrf_id = 2; Family family = 3; Path path = 4; bytes uuid = 5; }
message ListPathRequest { int32 table_type = 1; string name = 2; Family family = 3; int32 sort_type = 5; }
message ListPathResponse { Destination destination = 1; }
message GetBgpRequest {}
message Global { uint32 asn = 1; string router_id = 2; int32 listen_port = 3; }
message GetBgpResponse { Global global = 1; }

message OriginAttribute { uint32 origin = 1; }
message NextHopAttribute { string next_hop = 1; }
message CommunitiesAttribute { repeated uint32 communities = 1; }
message MpReachNLRIAttribute { Family family = 1; repeated string next_hops = 2; repeated Any nlris = 3; }
message ExtendedCommunitiesAttribute { repeated Any communities = 1; }

message IPAddressPrefix { uint32 prefix_len = 1; string prefix = 2; }
message FlowSpecIPPrefix { uint32 type = 1; uint32 prefix_len = 2; string prefix = 3; uint32 offset = 4; }
message FlowSpecComponentItem { uint32 op = 1; uint64 value = 2; }
message FlowSpecComponent { uint32 type = 1; repeated FlowSpecComponentItem items = 2; }
message FlowSpecNLRI { repeated Any rules = 1; }

message TrafficRateExtended { uint32 asn = 1; float rate = 2; }
message RedirectTwoOctetAsSpecificExtended { uint32 asn = 1; uint32 local_admin = 2; }
message RedirectFourOctetAsSpecificExtended { uint32 asn = 1; uint32 local_admin = 2; }
message TrafficRemarkExtended { uint32 dscp = 1; }
`;

export const SERVICE = '/apipb.GobgpApi';
export const TABLE_GLOBAL = 0;
export const AFI_IP = 1;
export const AFI_IP6 = 2;
export const SAFI_UNICAST = 1;
export const SAFI_FLOWSPEC = 133;

let root: protobuf.Root | undefined;

/** The parsed schema; built on first use (pure CPU, no I/O). */
export function schema(): protobuf.Root {
  root ??= protobuf.parse(SCHEMA, { keepCase: true }).root;
  return root;
}

export function type(name: string): protobuf.Type {
  return schema().lookupType(`apipb.${name}`);
}

export interface AnyMsg { type_url: string; value: Uint8Array }

export function pack(name: string, value: Record<string, unknown>): AnyMsg {
  const t = type(name);
  return { type_url: `type.googleapis.com/apipb.${name}`, value: t.encode(t.fromObject(value)).finish() };
}

/** Unpacks an Any into {name, value}; unknown types come back with value null (never throws). */
export function unpack(any: AnyMsg | null | undefined): { name: string; value: Record<string, unknown> | null } {
  const name = any?.type_url?.split('/').pop()?.replace(/^apipb\./, '') ?? '';
  try {
    const t = type(name);
    const msg = t.decode(any?.value ?? new Uint8Array());
    return { name, value: t.toObject(msg, { longs: Number, defaults: true }) };
  } catch {
    return { name, value: null };
  }
}

export function encode(name: string, value: Record<string, unknown>): Buffer {
  const t = type(name);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

export function decode(name: string, buf: Buffer): Record<string, unknown> {
  const t = type(name);
  return t.toObject(t.decode(buf), { longs: Number, defaults: true, arrays: true });
}
