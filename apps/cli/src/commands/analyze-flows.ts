// `breakwater analyze` on a capture of flow datagrams: the collector's decoder and per-host
// detection over the capture (packages/analysis/src/flows), the same flags as a packet capture.
import { existsSync } from 'node:fs';
import { OFFLINE_DETECTION_DEFAULTS, type AnalyzeOptions } from '@breakwater/analysis';
import { analyzeFlowCapture, formatFlowReport, looksLikeFlowCapture } from '@breakwater/analysis/flows';
import { UsageError } from '../args.ts';

export function flowPorts(values: string[] | undefined): number[] | undefined {
  if (values === undefined) return undefined;
  return values.map((v) => {
    if (!/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new UsageError(`--flow-port: must be a UDP port from 1 to 65535, got ${JSON.stringify(v)}`);
    return Number(v);
  });
}

export async function isFlowCapture(file: string, ports: number[] | undefined): Promise<boolean> {
  if (!existsSync(file)) return false;
  try {
    return await looksLikeFlowCapture(file, ports);
  } catch {
    // Not a readable capture: the packet analysis reports why.
    return false;
  }
}

export async function analyzeFlows(file: string, values: { json?: boolean | undefined; 'flow-port'?: string[] | undefined }, o: AnalyzeOptions): Promise<void> {
  const thresholds = { ...OFFLINE_DETECTION_DEFAULTS.thresholds, ...(o.detection?.thresholds ?? {}), ...(o.ppsThreshold ? { pps: o.ppsThreshold } : {}), ...(o.bpsThreshold ? { bps: o.bpsThreshold } : {}) };
  let report;
  try {
    report = await analyzeFlowCapture(file, {
      ...(o.target !== undefined ? { networks: Array.isArray(o.target) ? o.target : [o.target] } : {}),
      detection: { ...OFFLINE_DETECTION_DEFAULTS, thresholds },
      ...(values['flow-port'] ? { ports: flowPorts(values['flow-port']) } : {}),
    });
  } catch (err) {
    if (err instanceof RangeError && /^networks\[/.test(err.message)) throw new UsageError(err.message.replace(/^networks/, '--target'));
    throw err;
  }
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatFlowReport(report));
}
