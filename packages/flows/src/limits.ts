// Defaults and checks for the decoder's bounds. Plain checks (no schema library) keep the hot
// path's module graph small; each error names the key and what is allowed.
import type { FlowDecoderLimits } from '@breakwater/contracts';

export const DEFAULT_FLOW_LIMITS: Readonly<FlowDecoderLimits> = Object.freeze({
  maxExporters: 1024,
  maxTemplatesPerExporter: 1024,
  templateTimeoutMs: 30 * 60_000,
  maxPendingSets: 64,
  maxPendingBytes: 256 * 1024,
  pendingHoldMs: 5000,
  maxInterfaces: 256,
});

const BOUNDS: Record<keyof FlowDecoderLimits, readonly [number, number]> = {
  maxExporters: [1, 1_000_000],
  maxTemplatesPerExporter: [1, 65_536],
  templateTimeoutMs: [1000, 7 * 86_400_000],
  maxPendingSets: [0, 1_000_000],
  maxPendingBytes: [0, 1 << 30],
  pendingHoldMs: [0, 600_000],
  maxInterfaces: [0, 1_000_000],
};

export class FlowLimitsError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(message);
    this.name = 'FlowLimitsError';
    this.key = key;
  }
}

/** Fills defaults and rejects unknown keys and out-of-range values, naming the key. */
export function resolveFlowLimits(input: Partial<FlowDecoderLimits> | undefined): FlowDecoderLimits {
  const out: FlowDecoderLimits = { ...DEFAULT_FLOW_LIMITS };
  if (input === undefined) return out;
  if (typeof input !== 'object' || input === null) throw new FlowLimitsError('limits', 'limits must be an object');
  for (const [key, value] of Object.entries(input)) {
    if (!Object.hasOwn(BOUNDS, key)) {
      throw new FlowLimitsError(`limits.${key}`, `limits.${key} is not a decoder limit; allowed: ${Object.keys(BOUNDS).join(', ')}`);
    }
    if (value === undefined) continue;
    const [min, max] = BOUNDS[key as keyof FlowDecoderLimits];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new FlowLimitsError(`limits.${key}`, `limits.${key} must be an integer from ${min} to ${max}`);
    }
    out[key as keyof FlowDecoderLimits] = value;
  }
  return out;
}

/** A sampling rate the operator sets: an integer 1 in N, N from 1 to 2^32-1. */
export function checkSamplingRate(key: string, rate: unknown): number {
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 1 || rate > 0xffffffff) {
    throw new FlowLimitsError(key, `${key} must be an integer sampling rate (1 in N) from 1 to 4294967295`);
  }
  return rate;
}
