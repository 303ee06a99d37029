// A webhook receiver as an operator would write one from the adapter's documentation: it checks the
// HMAC-SHA256 signature and timestamp, the JSON shape, and keeps the rules announced to it (by
// ruleKey) so tests see what the receiver would be enforcing.
import { randomBytes } from 'node:crypto';
import { ruleKey } from '../../rule-key.ts';
import { verify } from '../../adapters/webhook/signature.ts';
import { expectJsonBody, jsonReply, startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from '@breakwater/outbound/testing';

export interface WebhookFake extends HttpFake {
  secret: string;
  /** ruleKey → rule id, as the receiver holds them. */
  rules: Map<string, string>;
  observe(): Set<string>;
}

export async function startWebhookFake(path = '/hooks/breakwater'): Promise<WebhookFake> {
  const secret = randomBytes(24).toString('base64url');
  const rules = new Map<string, string>();
  function handle(req: FakeRequest, problems: string[]): FakeReply {
    if (req.method !== 'POST' || req.path !== path) { problems.push(`${req.method} ${req.path}: want POST ${path}`); return jsonReply(404, { error: 'not found' }); }
    if (!verify(secret, req.body, req.headers['x-breakwater-signature'] as string | undefined, req.headers['x-breakwater-timestamp'] as string | undefined, Date.now())) {
      problems.push('signature or timestamp does not verify');
      return jsonReply(401, { error: 'bad signature' });
    }
    if (!expectJsonBody(problems, req)) return jsonReply(400, { error: 'not JSON' });
    const b = req.json;
    if (req.headers['x-breakwater-event'] !== b.event) problems.push(`X-Breakwater-Event ${String(req.headers['x-breakwater-event'])} ≠ body event ${b.event}`);
    if (typeof b.sent_at !== 'string' || Number.isNaN(Date.parse(b.sent_at))) problems.push(`sent_at ${JSON.stringify(b.sent_at)}`);
    const keys = Object.keys(b).sort().join(',');
    if (keys !== 'event,rule,sent_at') problems.push(`body keys ${keys}`);
    if (b.event === 'mitigation.test') return b.rule === null ? { status: 204 } : jsonReply(400, { error: 'test carries no rule' });
    if (b.event !== 'mitigation.announce' && b.event !== 'mitigation.withdraw') { problems.push(`event ${b.event}`); return jsonReply(400, { error: 'unknown event' }); }
    if (typeof b.rule?.id !== 'string' || typeof b.rule?.spec?.kind !== 'string') { problems.push(`rule ${JSON.stringify(b.rule)}`); return jsonReply(400, { error: 'bad rule' }); }
    const key = ruleKey(b.rule.spec);
    if (b.event === 'mitigation.announce') rules.set(key, b.rule.id); else rules.delete(key);
    return jsonReply(200, { ok: true });
  }
  const fake = await startHttpFake({
    handle,
    failure(mode) {
      if (mode === 'rate_limited') return jsonReply(429, { error: 'slow down' }, { 'retry-after': '5' });
      if (mode === 'unauthorized') return jsonReply(401, { error: 'unauthorized' });
      return jsonReply(503, { error: 'receiver unavailable' });
    },
  });
  return Object.assign(fake, { secret, rules, observe: () => new Set(rules.keys()) });
}
