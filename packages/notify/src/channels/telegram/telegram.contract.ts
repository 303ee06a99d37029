import assert from 'node:assert/strict';
import type { ChannelContract } from '../../testing/channel-contract.ts';
import { checkedSpec, expectEq, expectJsonPost, expectString, jsonReply, startHttpFake } from '@breakwater/outbound/testing';

const TOKEN = '123456789:AAF-secret_token_value_abcdefghijk';

export const telegramContract: ChannelContract<'telegram'> = {
  type: 'telegram',
  start: () => startHttpFake(checkedSpec({
    check(req) {
      const p = expectJsonPost(req, `/bot${TOKEN}/sendMessage`);
      expectEq(p, 'chat_id', req.json?.chat_id, -1001234567890);
      expectEq(p, 'parse_mode', req.json?.parse_mode, 'HTML');
      expectString(p, 'text', req.json?.text, 4096);
      // Only Telegram's supported tags may appear; everything else must be escaped.
      for (const m of String(req.json?.text ?? '').matchAll(/<\/?([a-z-]+)/g)) if (!['b', 'i', 'a', 'code', 'pre', 'u', 's'].includes(m[1]!)) p.push(`unsupported tag <${m[1]}>`);
      return p;
    },
    ok: () => jsonReply(200, { ok: true, result: { message_id: 77, chat: { id: -1001234567890 }, date: 1 } }),
    failures: {
      bad_request: () => jsonReply(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' }),
      unauthorized: (req) => jsonReply(401, { ok: false, error_code: 401, description: `Unauthorized ${req.path}` }),
      rate_limited: () => jsonReply(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 5', parameters: { retry_after: 5 } }),
    },
  })),
  config: (host) => ({ bot_token: TOKEN, chat_id: -1001234567890, api_url: `http://${host}` }),
  secrets: () => [TOKEN, 'AAF-secret_token_value_abcdefghijk'],
  successStatus: 200,
  retryAfterMs: 5000,
  assertOpened(req) {
    const text: string = req.json.text;
    assert.ok(text.startsWith('<b>Attack detected'), text);
    assert.ok(text.includes('edge-&lt;1&gt;&amp;&quot;a&quot;'), 'node name escaped');
    assert.ok(!text.includes('<script>'));
  },
  assertResolved(req) {
    assert.ok(req.json.text.startsWith('<b>Attack ended'));
  },
};
