// One mutable view per capture loop, refilled in place for every packet: the hot path
// allocates nothing. Addresses stay in the capture buffer (offsets) and, for IPv4, as
// uint32 numbers; strings are made only on request (format-address.ts).
//
// A view is valid until the next decodePacket() call on it and while the buffer it
// points into is unchanged (a streaming reader reuses its buffers).

export const DecodeStatus = {
  ok: 0,
  /** The capture ended inside a header (snaplen, or a cut packet). */
  truncated: 1,
  /** A header field contradicts the format (bad version, length below minimum…). */
  malformed: 2,
  /** A linktype this package does not decode. */
  unsupportedLinktype: 3,
} as const;
export type DecodeStatusCode = (typeof DecodeStatus)[keyof typeof DecodeStatus];

/** Decoders that can report an error; the index is the code stored in `errorDecoder`. */
export const DECODER_NAMES = [
  'none',
  'link',
  'ethernet',
  'sll',
  'sll2',
  'null',
  'ipv4',
  'ipv6',
  'tcp',
  'udp',
  'icmp',
  'icmpv6',
  'gre',
] as const;
export type DecoderName = (typeof DECODER_NAMES)[number];
export const Decoder = {
  none: 0,
  link: 1,
  ethernet: 2,
  sll: 3,
  sll2: 4,
  null: 5,
  ipv4: 6,
  ipv6: 7,
  tcp: 8,
  udp: 9,
  icmp: 10,
  icmpv6: 11,
  gre: 12,
} as const satisfies Record<DecoderName, number>;

export const IpProto = {
  icmp: 1,
  ipip: 4,
  tcp: 6,
  udp: 17,
  ipv6: 41,
  gre: 47,
  icmpv6: 58,
  noNext: 59,
} as const;

export const TcpFlag = {
  fin: 0x01,
  syn: 0x02,
  rst: 0x04,
  psh: 0x08,
  ack: 0x10,
  urg: 0x20,
  ece: 0x40,
  cwr: 0x80,
  ns: 0x100,
} as const;

/** One IP header and what it carries. Fields are meaningful only when `version` is 4 or 6. */
export class IpLayer {
  /** 0 when no IP header was decoded at this level. */
  version = 0;
  /** Offset of the IP header in the buffer. */
  offset = 0;
  /** IPv4: IHL × 4. IPv6: 40 + extension headers walked. */
  headerLength = 0;
  /** IPv4 options bytes; IPv6 extension header bytes. */
  optionsLength = 0;
  /** Bytes the header declares for the whole IP packet (may exceed what was captured). */
  totalLength = 0;
  /** Upper-layer protocol (after IPv6 extension headers). */
  protocol = 0;
  /** TTL or hop limit. */
  ttl = 0;
  /** IPv4 TOS / IPv6 traffic class. */
  tos = 0;
  /** IPv4 identification, or the IPv6 fragment header's identification. */
  id = 0;
  dontFragment = false;
  /** True for any fragment: more-fragments set or a non-zero offset. */
  fragment = false;
  moreFragments = false;
  /** Fragment offset in bytes. */
  fragmentOffset = 0;
  /** Bit mask of the IPv6 extension headers seen (1 << ExtHeaderBit.*). */
  extHeaders = 0;
  /** IPv4 addresses as unsigned 32-bit numbers (0 for IPv6). */
  src4 = 0;
  dst4 = 0;
  /** Offsets of the 4- or 16-byte addresses in the buffer. */
  srcOffset = 0;
  dstOffset = 0;

  /** True once the transport header's fixed part (ports/flags/type) was read. */
  transport = false;
  transportOffset = 0;
  srcPort = 0;
  dstPort = 0;
  /** TCP flags, 9 bits (NS..FIN). */
  tcpFlags = 0;
  tcpHeaderLength = 0;
  tcpOptionsLength = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpWindow = 0;
  udpLength = 0;
  icmpType = 0;
  icmpCode = 0;
  /** GRE: flags+version word, carried protocol (EtherType), key (when present). */
  greFlags = 0;
  greProtocol = 0;
  greKey = 0;
  /** Start of the transport payload (or of the IP payload when there is no transport). */
  payloadOffset = 0;
  /** Payload bytes the headers declare. */
  payloadLength = 0;
  /** Payload bytes actually present in the buffer (≤ payloadLength). */
  payloadCaptured = 0;

  reset(): void {
    this.version = 0;
    this.protocol = 0;
    this.headerLength = 0;
    this.optionsLength = 0;
    this.fragment = false;
    this.moreFragments = false;
    this.fragmentOffset = 0;
    this.dontFragment = false;
    this.extHeaders = 0;
    this.src4 = 0;
    this.dst4 = 0;
    this.transport = false;
    this.srcPort = 0;
    this.dstPort = 0;
    this.tcpFlags = 0;
    this.tcpHeaderLength = 0;
    this.tcpOptionsLength = 0;
    this.udpLength = 0;
    this.icmpType = 0;
    this.icmpCode = 0;
    this.greFlags = 0;
    this.greProtocol = 0;
    this.greKey = 0;
    this.payloadOffset = 0;
    this.payloadLength = 0;
    this.payloadCaptured = 0;
  }
}

export const ExtHeaderBit = {
  hopByHop: 0,
  routing: 1,
  fragment: 2,
  destination: 3,
  auth: 4,
  other: 5,
} as const;

export class DecodedPacket {
  status: DecodeStatusCode = DecodeStatus.ok;
  /** Which decoder reported the status (Decoder.*), `none` when ok. */
  errorDecoder = 0;
  /** 0 when the error is in the outer packet, 1 when inside a tunnel. */
  errorDepth = 0;
  linktype = 0;
  buf: Uint8Array = EMPTY;
  /** Frame start and captured length within `buf`. */
  offset = 0;
  caplen = 0;
  /** EtherType (or SLL protocol) of the network layer; 0 when the link layer has none. */
  etherType = 0;
  vlanCount = 0;
  /** Outer and second VLAN IDs (QinQ: service then customer tag). */
  vlan0 = 0;
  vlan1 = 0;
  /** Linux cooked capture packet type (0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing). */
  sllPacketType = 0;
  /** SLL2 interface index. */
  ifIndex = 0;
  /** The outer IP packet (the one that reached the host). */
  readonly ip: IpLayer = new IpLayer();
  /** The packet a tunnel (GRE, IP-in-IP) carries; `inner.version` is 0 when none was decoded. */
  readonly inner: IpLayer = new IpLayer();
  /** EtherType the tunnel carried (0x6558 for transparent Ethernet bridging). */
  innerEtherType = 0;

  reset(linktype: number, buf: Uint8Array, offset: number, caplen: number): void {
    this.status = DecodeStatus.ok;
    this.errorDecoder = 0;
    this.errorDepth = 0;
    this.linktype = linktype;
    this.buf = buf;
    this.offset = offset;
    this.caplen = caplen;
    this.etherType = 0;
    this.vlanCount = 0;
    this.vlan0 = 0;
    this.vlan1 = 0;
    this.sllPacketType = 0;
    this.ifIndex = 0;
    this.innerEtherType = 0;
    this.ip.reset();
    // Decoders write a layer's fields only after setting its version, so a layer still
    // at version 0 holds its reset values: most packets carry no tunnel.
    if (this.inner.version !== 0) this.inner.reset();
  }
}

const EMPTY = new Uint8Array(0);
