// @breakwater/packets: L2–L4 decoders, pcap/pcapng reading and pcap writing, per-tick aggregation.
export { decodePacket } from './decode/decode-packet.ts';
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
} from './decode/decoded-packet.ts';
export { DecodeErrorCounter } from './decode/decode-error-counter.ts';
export { EtherType } from './decode/decode-link.ts';
export { GreProtocol } from './decode/decode-gre.ts';
export { Linktype, SUPPORTED_LINKTYPES, isSupportedLinktype } from './capture-file/linktype.ts';
export { formatIp, formatIpv4, formatIpv6 } from './decode/format-address.ts';
export { CaptureReader, MAX_CAPLEN, MAX_BLOCK, type CaptureFormat } from './capture-file/capture-reader.ts';
export { CaptureRecord } from './capture-file/capture-record.ts';
export { CaptureError, CAPTURE_ERROR_CODES, type CaptureErrorCode } from './capture-file/capture-error.ts';
export type { PcapngInterface } from './capture-file/pcapng-interface.ts';
export { readCapture, readCaptureFile, readCaptureBuffer } from './capture-file/read-capture.ts';
export {
  PcapWriter,
  buildPcap,
  encodePcapHeader,
  encodePcapRecord,
  PCAP_HEADER_LENGTH,
  PCAP_RECORD_HEADER_LENGTH,
  type PcapHeaderOptions,
  type PcapPacket,
} from './capture-file/pcap-writer.ts';
export { TickAggregator, SIZE_BUCKETS, countFlags, type TickAggregatorOptions, type TickAggregatorDeps } from './aggregate/tick-aggregator.ts';
export { IocMatcher, iocPatternBytes, MAX_IOC_STATES, type IocPattern } from './aggregate/ioc-matcher.ts';
export type { GeoLookup } from './aggregate/country-counter.ts';
export { SpaceSaving } from './aggregate/space-saving.ts';
export { HyperLogLog } from './aggregate/hyperloglog.ts';
