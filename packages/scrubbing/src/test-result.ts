// What test() answers: ok with the round-trip time, or the failure as health + {code, message}.
// test() never throws, so a failure of any kind becomes one of these.
import type { ScrubbingTestResult } from '@breakwater/contracts';
import { ScrubbingError, healthOf } from './errors.ts';
import { elapsed } from './http.ts';
import type { ScrubbingDeps } from './provider.ts';

export function testOk(deps: Pick<ScrubbingDeps, 'now'>, started: number): ScrubbingTestResult {
  return { ok: true, latency_ms: elapsed(deps, started), health: 'ok' };
}

export function testFailure(deps: Pick<ScrubbingDeps, 'now'>, started: number, err: unknown): ScrubbingTestResult {
  const e = err instanceof ScrubbingError ? err : new ScrubbingError('provider', 'the test failed unexpectedly');
  return { ok: false, latency_ms: elapsed(deps, started), health: healthOf(e), error: { code: e.code, message: e.message } };
}

/** Runs `probe` (a read that needs working credentials) as test(). */
export async function probeTest(deps: Pick<ScrubbingDeps, 'now'>, probe: () => Promise<unknown>): Promise<ScrubbingTestResult> {
  const started = deps.now();
  try {
    await probe();
    return testOk(deps, started);
  } catch (err) {
    return testFailure(deps, started, err);
  }
}
