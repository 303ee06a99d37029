// @breakwater/analysis: offline forensic analysis of pcap/pcapng captures with the detection engine.
export { analyzeCapture } from './analyze-capture.ts';
export { AnalysisOptionsError, OFFLINE_DETECTION_DEFAULTS, DEFAULT_TARGET_MIN_SHARE, DEFAULT_MAX_TARGETS } from './options.ts';
export type { AnalyzeOptions, AnalysisOptionError } from './options.ts';
export { formatReport } from './format-report.ts';
export { openGeo, GEO_PACKAGE } from './geo.ts';
export type { GeoSource } from './geo.ts';
// The report's shape (AnalysisReport, REPORT_VERSION) is declared in @breakwater/contracts.
