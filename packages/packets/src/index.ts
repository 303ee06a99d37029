// @breakwater/packets: L2–L4 decoders, pcap/pcapng reading and pcap writing, per-tick aggregation.
export { decodePacket } from './decode-packet.ts';
export {
  DecodedPacket,
  IpLayer,
  DecodeStatus,
  Decoder,
  DECODER_NAMES,
  ExtHeaderBit,
  IpProto,
  TcpFlag,
  type DecodeStatusCode,
  type DecoderName,
} from './decoded-packet.ts';
export { DecodeErrorCounter } from './decode-error-counter.ts';
export { EtherType } from './decode-link.ts';
export { GreProtocol } from './decode-gre.ts';
export { Linktype, SUPPORTED_LINKTYPES, isSupportedLinktype } from './linktype.ts';
export { formatIp, formatIpv4, formatIpv6 } from './format-address.ts';
export { CaptureReader, MAX_CAPLEN, MAX_BLOCK, type CaptureFormat } from './capture-reader.ts';
export { CaptureRecord } from './capture-record.ts';
export { CaptureError, CAPTURE_ERROR_CODES, type CaptureErrorCode } from './capture-error.ts';
export type { PcapngInterface } from './pcapng-interface.ts';
export { readCapture, readCaptureFile, readCaptureBuffer } from './read-capture.ts';
export {
  PcapWriter,
  buildPcap,
  encodePcapHeader,
  encodePcapRecord,
  PCAP_HEADER_LENGTH,
  PCAP_RECORD_HEADER_LENGTH,
  type PcapHeaderOptions,
  type PcapPacket,
} from './pcap-writer.ts';
export { TickAggregator, SIZE_BUCKETS, countFlags, type TickAggregatorOptions, type TickAggregatorDeps } from './tick-aggregator.ts';
export { IocMatcher, iocPatternBytes, MAX_IOC_STATES, type IocPattern } from './ioc-matcher.ts';
export type { GeoLookup } from './country-counter.ts';
export { SpaceSaving } from './space-saving.ts';
export { HyperLogLog } from './hyperloglog.ts';
