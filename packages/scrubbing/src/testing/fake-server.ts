// The base every scrubbing provider's fake is built on: outbound's recording HTTP fake (loopback,
// records each request, refuses what the provider would refuse, can hang, go away and come back,
// and answers scripted replies first — a 429 with Retry-After, an outage of exactly n requests) plus
// one clock shared with the provider under test, so "Cloudflare takes 7 minutes" is seven minutes
// of that clock, not of the wall.
//
// A provider's fake supplies `handle` (check the request exactly as the provider documents it —
// method, path, headers, auth or signature, body — push what is wrong onto `problems`, and answer
// with the documented success or error body) and its documented failure bodies.
import { manualClock, startHttpFake, type FailureMode, type FakeReply, type FakeRequest, type HttpFake, type ManualClock } from '@breakwater/outbound/testing';

export { echoOf, jsonReply, manualClock, type FakeReply, type FakeRequest, type ManualClock } from '@breakwater/outbound/testing';

export interface ProviderFakeSpec {
  handle(req: FakeRequest, problems: string[]): FakeReply;
  /** The provider's own bodies for the generic failure modes (500, 401, 400, its rate limit). */
  failure(mode: FailureMode, req: FakeRequest): FakeReply;
}

export interface ProviderFake extends HttpFake {
  readonly clock: ManualClock;
}

export async function startProviderFake(spec: ProviderFakeSpec, clock: ManualClock = manualClock()): Promise<ProviderFake> {
  const fake = await startHttpFake(spec);
  // Object.assign copies data properties only: the base's url/mode accessors stay live.
  return Object.assign(fake, { clock });
}

/** `Authorization: Basic …` for user:password, as RFC 7617 has it. */
export const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
