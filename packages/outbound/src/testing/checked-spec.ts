// A provider spec written as "what is wrong with this request" plus the success reply: the fake
// refuses a request with problems (400) and otherwise answers as the provider does. Error replies
// echo the request back (path, headers, body), as some proxies and providers do, so a suite can
// prove that no secret survives into what the caller reports.
import { echoOf, jsonReply, type FailureMode, type FakeReply, type FakeRequest, type VendorSpec } from './http-fake.ts';

export interface CheckedSpec {
  /** Problems with a request, checked as the provider documents it; none = the provider would accept it. */
  check(req: FakeRequest): string[];
  /** The provider's success reply. */
  ok(req: FakeRequest): FakeReply;
  /** The provider's own error replies, where they differ from the generic ones. */
  failures?: Partial<Record<FailureMode, (req: FakeRequest) => FakeReply>>;
}

function echo(req: FakeRequest): unknown {
  return { ...echoOf(req), query: req.query.toString() };
}

const GENERIC: Record<FailureMode, (req: FakeRequest) => FakeReply> = {
  server_error: (req) => jsonReply(500, { error: 'internal error', echo: echo(req) }),
  rate_limited: (req) => jsonReply(429, { error: 'rate limited', echo: echo(req) }, { 'retry-after': '7' }),
  bad_request: (req) => jsonReply(400, { error: 'bad request', echo: echo(req) }),
  unauthorized: (req) => jsonReply(401, { error: 'unauthorized', echo: echo(req) }),
};

export function checkedSpec(spec: CheckedSpec): VendorSpec {
  return {
    handle(req, problems) {
      const found = spec.check(req);
      problems.push(...found);
      return found.length ? jsonReply(400, { error: 'fake provider refused the request', problems: found }) : spec.ok(req);
    },
    failure: (mode, req) => (spec.failures?.[mode] ?? GENERIC[mode])(req),
  };
}
