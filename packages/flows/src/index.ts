// @breakwater/flows: NetFlow v5/v9, IPFIX and sFlow v5 decoders with per-exporter state.
// The words they share with the collector (FlowRecord, FlowExporterStatus…) are in contracts.
export {
  createFlowDecoder,
  sniffFlowProtocol,
  type FlowClock,
  type FlowDecoder,
  type FlowDecoderConfig,
  type FlowSource,
} from './flow-decoder.ts';
export type { FlowSink } from './session.ts';
export { DEFAULT_FLOW_LIMITS, FlowLimitsError, resolveFlowLimits, checkSamplingRate } from './limits.ts';
export { flowDatagramsFromBuffer, flowDatagramsFromFile, type FlowDatagram } from './capture/flow-datagrams.ts';
