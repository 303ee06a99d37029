// A local APSolute Vision for what the radware adapter uses, shaped after the calls Radware's public
// tools make: JSON login answering {"status":"ok","jsessionid"}, the JSESSIONID cookie, device
// lock/unlock, the Block List table under /mgmt/device/byip/{dp}/config, updatepolicies, and
// Vision's error body {"status":"error","message"}. It refuses writes to a device this session
// has not locked, as Vision does.
import { randomBytes } from 'node:crypto';
import { expectJsonBody, jsonReply, startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from '@breakwater/outbound/testing';

export interface RadwareFake extends HttpFake {
  username: string;
  password: string;
  deviceIp: string;
  /** entry name → entry fields, as the DefensePro holds them. */
  table: Map<string, Record<string, string>>;
  updates: number;
  expireSessions(): void;
  observe(): Set<string>;
}

const verr = (status: number, message: string, headers: Record<string, string> = {}) => jsonReply(status, { status: 'error', message }, headers);
const vok = (extra: Record<string, unknown> = {}) => jsonReply(200, { status: 'ok', ...extra });

export async function startRadwareFake(tableName = 'rsNewBlockListTable'): Promise<RadwareFake> {
  const field = tableName.replace(/Table$/, '');
  const username = 'bw-vision';
  const password = randomBytes(18).toString('base64url');
  const deviceIp = '10.20.30.40';
  const sessions = new Set<string>();
  const table = new Map<string, Record<string, string>>();
  let lockedBy: string | null = null;
  const state = { updates: 0 };

  function handle(req: FakeRequest, problems: string[]): FakeReply {
    if (req.method === 'POST' && req.path === '/mgmt/system/user/login') {
      if (!expectJsonBody(problems, req)) return verr(400, 'Bad request');
      if (req.json.username !== username || req.json.password !== password) return verr(401, 'Login failed: wrong user name or password');
      const id = randomBytes(16).toString('hex');
      sessions.add(id);
      return vok({ jsessionid: id });
    }
    const sid = /(?:^|;\s*)JSESSIONID=([^;]+)/.exec(String(req.headers.cookie ?? ''))?.[1];
    if (!sid || !sessions.has(sid)) return verr(401, 'Unauthorized: session expired or not logged in');
    if (req.method === 'GET' && req.path === '/mgmt/system/config/itemlist/alldevices') {
      return jsonReply(200, [{ name: 'DP-edge-1', managementIp: deviceIp, type: 'DefensePro', ormId: 'abc' }]);
    }
    const tree = `/mgmt/system/config/tree/device/byip/${deviceIp}`;
    if (req.method === 'POST' && req.path === `${tree}/lock`) {
      if (lockedBy && lockedBy !== sid) return verr(400, 'M_00001: The device is locked by another user');
      lockedBy = sid;
      return vok();
    }
    if (req.method === 'POST' && req.path === `${tree}/unlock`) { if (lockedBy === sid) lockedBy = null; return vok(); }
    const cfg = `/mgmt/device/byip/${deviceIp}/config`;
    if (req.method === 'GET' && req.path === `${cfg}/${tableName}`) return jsonReply(200, { [tableName]: [...table.values()] });
    const needLock = () => { if (lockedBy !== sid) { problems.push(`${req.method} ${req.path} without holding the device lock`); return verr(400, 'M_00393: Device must be locked before configuration changes'); } return null; };
    if (req.method === 'POST' && req.path === `${cfg}/updatepolicies`) { const l = needLock(); if (l) return l; state.updates += 1; return vok(); }
    const m = new RegExp(`^${cfg}/${tableName}/([^/]+)$`).exec(req.path);
    if (m) {
      const l = needLock();
      if (l) return l;
      const name = m[1]!;
      if (req.method === 'POST') {
        if (!expectJsonBody(problems, req)) return verr(400, 'Bad request');
        const b = req.json as Record<string, unknown>;
        for (const k of Object.keys(b)) if (!k.startsWith(field)) problems.push(`field ${k} is not a ${tableName} column`);
        if (b[`${field}Name`] !== name) problems.push(`${field}Name ${String(b[`${field}Name`])} ≠ the name in the path ${name}`);
        for (const k of ['SrcNetwork', 'DstNetwork']) if (typeof b[`${field}${k}`] !== 'string') problems.push(`${field}${k} missing`);
        if (table.has(name)) return verr(400, 'M_00386: An entry with same key already exists.');
        table.set(name, Object.fromEntries(Object.entries(b).map(([k, v]) => [k, String(v)])));
        return vok();
      }
      if (req.method === 'DELETE') {
        if (!table.delete(name)) return verr(404, `M_00100: Entry ${name} does not exist`);
        return vok();
      }
    }
    problems.push(`no such endpoint: ${req.method} ${req.path}`);
    return verr(404, `Resource not found: ${req.path}`);
  }

  const fake = await startHttpFake({
    handle,
    failure(mode) {
      if (mode === 'unauthorized') return verr(403, 'Forbidden: the user is not permitted to perform this action');
      if (mode === 'rate_limited') return verr(429, 'Too many requests');
      return verr(500, 'Internal server error');
    },
  });
  // Object.assign would copy a getter's value once: `updates` must stay live.
  Object.defineProperty(fake, 'updates', { get: () => state.updates, enumerable: true });
  return Object.assign(fake as HttpFake & { updates: number }, {
    username, password, deviceIp, table,
    expireSessions: () => sessions.clear(),
    observe() {
      const out = new Set<string>();
      for (const e of table.values()) {
        if (e[`${field}SrcNetwork`] !== 'any' || e[`${field}State`] !== '1') continue;
        const d = (e[`${field}DstNetwork`] ?? '').toLowerCase();
        out.add(`blackhole|${d.includes('/') ? d : `${d}/${d.includes(':') ? 128 : 32}`}`);
      }
      return out;
    },
  });
}
