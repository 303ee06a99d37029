// Flow records → per-destination detection, shared by the collector (live) and `breakwater
// analyze` (flow captures).
export { createFlowDetector, type FlowDetector, type FlowDetectorConfig, type FlowDetectorDeps, type FlowHostTick } from './flow-detector.ts';
export { FlowTickBuilder } from './flow-tick-builder.ts';
export { ProtectedNetworks } from './protected-networks.ts';
export { analyzeFlowCapture, formatFlowReport, looksLikeFlowCapture, type FlowCaptureOptions } from './analyze-flow-capture.ts';
