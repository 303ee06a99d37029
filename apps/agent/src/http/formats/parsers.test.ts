import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { HTTP_LOG_FORMATS, type HttpRequestRecord } from '@breakwater/contracts';
import { LOG_PARSERS } from './index.ts';
import { FIELD_MAX } from './tokenize.ts';

const CUSTOM = { fields: ['source', '-', '-', 'time', 'request', 'status', 'bytes', '-', 'user_agent'] as const, separator: 'space' as const };
const parser = (f: (typeof HTTP_LOG_FORMATS)[number]) => LOG_PARSERS[f](f === 'custom' ? { fields: [...CUSTOM.fields], separator: CUSTOM.separator } : undefined);

const SAMPLES: { format: (typeof HTTP_LOG_FORMATS)[number]; line: string; want: HttpRequestRecord }[] = [
  {
    format: 'combined',
    line: '203.0.113.9 - - [07/Dec/2026:16:00:00 +0000] "GET /shop/item?id=7&x=\\"y\\" HTTP/1.1" 200 612 "https://ref.example/" "Mozilla/5.0 (X11; Linux) \\"quoted\\""',
    want: { source: '203.0.113.9', method: 'GET', path: '/shop/item', query: 'id=7&x=\\"y\\"', host: '', status: 200, userAgent: 'Mozilla/5.0 (X11; Linux) \\"quoted\\"' },
  },
  {
    format: 'combined',
    line: 'shop.example:443 2001:db8::7 - alice [07/Dec/2026:16:00:00 +0000] "POST /login HTTP/2.0" 401 12 "-" "curl/8.5"',
    want: { source: '2001:db8::7', method: 'POST', path: '/login', query: '', host: 'shop.example', status: 401, userAgent: 'curl/8.5' },
  },
  {
    format: 'common',
    line: '198.51.100.4 - - [07/Dec/2026:16:00:00 +0000] "HEAD / HTTP/1.0" 304 0',
    want: { source: '198.51.100.4', method: 'HEAD', path: '/', query: '', host: '', status: 304, userAgent: '' },
  },
  {
    format: 'caddy_json',
    line: JSON.stringify({ level: 'info', ts: 1765123200.1, logger: 'http.log.access', msg: 'handled request', request: { remote_ip: '10.0.0.1', client_ip: '192.0.2.8', proto: 'HTTP/2.0', method: 'GET', host: 'Site.example', uri: '/a/b?c=d', headers: { 'User-Agent': ['wrk/4'] } }, status: 503, size: 0 }),
    want: { source: '192.0.2.8', method: 'GET', path: '/a/b', query: 'c=d', host: 'Site.example', status: 503, userAgent: 'wrk/4' },
  },
  {
    format: 'haproxy',
    line: 'Dec  7 16:00:00 lb haproxy[14389]: 10.0.1.2:33317 [07/Dec/2026:16:00:00.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {shop.example|Mozilla/5.0} {} "GET /index.html?q=1 HTTP/1.1"',
    want: { source: '10.0.1.2', method: 'GET', path: '/index.html', query: 'q=1', host: 'shop.example', status: 200, userAgent: 'Mozilla/5.0' },
  },
  {
    format: 'haproxy',
    line: 'haproxy[1]: [2001:db8::1]:443 [07/Dec/2026:16:00:00.655] fe be/s1 0/0/0/1/1 403 100 - - ---- 1/1/0/0/0 0/0 "POST /wp-login.php HTTP/1.1"',
    want: { source: '2001:db8::1', method: 'POST', path: '/wp-login.php', query: '', host: '', status: 403, userAgent: '' },
  },
  {
    format: 'custom',
    line: '192.0.2.77 - - [07/Dec/2026:16:00:00 +0000] "DELETE /api/x HTTP/1.1" 500 0 "-" "python-requests/2.31"',
    want: { source: '192.0.2.77', method: 'DELETE', path: '/api/x', query: '', host: '', status: 500, userAgent: 'python-requests/2.31' },
  },
];

test('parsers: a real line of each format gives source, method, path, query, host, status and user agent', () => {
  for (const s of SAMPLES) assert.deepEqual(parser(s.format)(s.line), s.want, `${s.format}: ${s.line}`);
});

test('parsers: a tab-separated custom format with a bare uri and a host field', () => {
  const p = LOG_PARSERS.custom({ fields: ['time', 'host', 'source', 'method', 'uri', 'status', 'user_agent'], separator: 'tab' });
  assert.deepEqual(p('2026-12-07T16:00:00Z\tapi.example\t192.0.2.1\tPUT\t/v1/x?y=2\t204\tgo-http-client/1.1 (x)'), {
    source: '192.0.2.1', method: 'PUT', path: '/v1/x', query: 'y=2', host: 'api.example', status: 204, userAgent: 'go-http-client/1.1 (x)',
  });
  assert.equal(LOG_PARSERS.custom({ fields: ['status', 'bytes'], separator: 'space' })('200 5'), null, 'no source and no URI: nothing to count');
});

test('parsers: lines that are not requests give null', () => {
  for (const f of HTTP_LOG_FORMATS) {
    const p = parser(f);
    for (const line of ['', ' ', '-', '{}', '[', '"', 'nginx: [emerg] bind() failed', '203.0.113.9 - - [07/Dec/2026] "-" 400 0 "-" "-"', '{"request": 5}', 'haproxy[1]: Proxy fe started.']) {
      assert.equal(p(line), null, `${f}: ${JSON.stringify(line)}`);
    }
  }
});

const bounded = (r: HttpRequestRecord | null) =>
  r === null || (r.source.length <= 64 && r.method.length <= 16 && r.path.length <= FIELD_MAX && r.query.length <= FIELD_MAX && r.host.length <= 255 && r.userAgent.length <= FIELD_MAX && Number.isInteger(r.status));

test('parsers (property): random strings, random bytes and mutated real lines never throw, and every kept string is capped', () => {
  const parsers = HTTP_LOG_FORMATS.map((f) => [f, parser(f)] as const);
  const mutated = fc.tuple(fc.constantFrom(...SAMPLES.map((s) => s.line)), fc.nat(), fc.string({ maxLength: 3000 })).map(([line, at, ins]) => line.slice(0, at % (line.length + 1)) + ins + line.slice(at % (line.length + 1)));
  const bytes = fc.uint8Array({ maxLength: 4000 }).map((b) => Buffer.from(b).toString('latin1'));
  const longFields = fc.tuple(fc.nat({ max: 5000 }), fc.constantFrom('a', '"', '[', '{', '\\', ' ', '?')).map(([n, c]) => `1.2.3.4 - - [x] "GET /${c.repeat(n)} HTTP/1.1" 200 1 "-" "${c.repeat(n)}"`);
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 2000 }), fc.string({ unit: 'binary', maxLength: 500 }), bytes, mutated, longFields), (line) => {
    for (const [f, p] of parsers) {
      const r = p(line);
      if (!bounded(r)) throw new Error(`${f}: unbounded record ${JSON.stringify(r).slice(0, 200)}`);
    }
  }), { numRuns: 800 });
});

test('parsers: a 1 MB adversarial field (quotes, backslashes, brackets) parses in linear time', () => {
  for (const c of ['\\', '"', '[', '{', ' ', '\\"']) {
    const line = `1.2.3.4 - - [t] "GET /${c.repeat(500_000)}`;
    const t0 = performance.now();
    for (const f of HTTP_LOG_FORMATS) parser(f)(line);
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `${JSON.stringify(c)}: ${ms.toFixed(0)} ms`);
  }
});
