// The dashboard's client is typed by DASHBOARD_API (contracts); this holds the server to the same
// table. For every call the dashboard makes, the route the server registered (as its OpenAPI
// document shows it) must exist with the table's path parameters, query, body and success reply:
// change a route's shape without the table, or the table without the route, and this fails.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DASHBOARD_API, type DashboardRoute } from '@breakwater/contracts';
import { sqliteBackend } from '@breakwater/testing';
import { startTestServer, type TestServer } from '@breakwater/server/testing';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json };
interface Operation {
  parameters?: { name: string; in: string; required?: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

// Words that document a schema without changing what it accepts or what the client's type is.
const ANNOTATIONS = new Set(['description', 'title', 'examples', 'example', '$id', '$schema']);

/**
 * A schema as the served document and the table should agree on it: annotations left out, and the
 * rewrites @fastify/swagger makes for OpenAPI (`const` → one-value `enum`, `patternProperties` →
 * `additionalProperties`) made on both sides, keys in one order.
 */
function canonical(s: Json): Json {
  if (Array.isArray(s)) return s.map(canonical);
  if (s === null || typeof s !== 'object') return s;
  const out: Schema = {};
  for (const key of Object.keys(s).sort()) {
    const v = s[key]!;
    if (ANNOTATIONS.has(key)) continue;
    if (key === 'const') out.enum = [v];
    else if (key === 'patternProperties') out.additionalProperties = canonical(Object.values(v as Schema)[0]!);
    else if (key === 'properties') out.properties = Object.fromEntries(Object.keys(v as Schema).sort().map((p) => [p, canonical((v as Schema)[p]!)]));
    else out[key] = canonical(v);
  }
  return out;
}

const plain = (schema: unknown): Json => canonical(JSON.parse(JSON.stringify(schema)) as Json);

describe('the dashboard client table matches the server routes', () => {
  let t: TestServer;
  let paths: Record<string, Record<string, Operation>>;

  before(async () => {
    t = await startTestServer(sqliteBackend);
    const doc = await t.request<{ paths: typeof paths }>('GET', '/api/v1/openapi.json', { token: null });
    assert.equal(doc.status, 200);
    paths = doc.body.paths;
  });
  after(async () => {
    await t?.stop();
  });

  for (const [key, entry] of Object.entries(DASHBOARD_API) as [string, DashboardRoute][]) {
    test(key, () => {
      const [method, path] = key.split(' ') as [string, string];
      const op = paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      assert.ok(op, `${key}: the server has no such route`);
      const params = op.parameters ?? [];

      const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name).sort();
      assert.deepEqual(pathParams, [...path.matchAll(/:(\w+)/g)].map((m) => m[1]).sort(), `${key}: path parameters`);

      const query = params.filter((p) => p.in === 'query');
      const want = entry.query ? (plain(entry.query) as { properties?: Schema; required?: string[] }) : { properties: {} };
      assert.deepEqual(query.map((p) => p.name).sort(), Object.keys(want.properties ?? {}).sort(), `${key}: query keys`);
      for (const p of query) {
        assert.deepEqual(canonical(p.schema), want.properties![p.name], `${key}: query ${p.name}`);
        assert.equal(p.required ?? false, (want.required ?? []).includes(p.name), `${key}: query ${p.name} required`);
      }

      const body = op.requestBody?.content['application/json']?.schema;
      if (entry.body) assert.deepEqual(canonical(body ?? null), plain(entry.body), `${key}: body`);
      else assert.equal(body, undefined, `${key}: the route reads a body the table does not give`);

      const reply = op.responses[String(entry.status)]?.content?.['application/json']?.schema;
      assert.ok(reply, `${key}: no ${entry.status} reply`);
      assert.deepEqual(canonical(reply), plain(entry.reply), `${key}: ${entry.status} reply`);
    });
  }
});
