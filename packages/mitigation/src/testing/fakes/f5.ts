// A local BIG-IP iControl REST for what the f5 adapter uses: token login
// (POST /mgmt/shared/authn/login → {token: {token, timeout}}), X-F5-Auth-Token or basic auth, AFM
// address lists (GET/POST/PATCH under /mgmt/tm/security/firewall/address-list), GET /mgmt/tm/sys/version,
// and iControl's error body {code, message, errorStack, apiError}.
import { randomBytes } from 'node:crypto';
import { expectJsonBody, jsonReply, startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from '@breakwater/outbound/testing';

export interface F5Fake extends HttpFake {
  username: string;
  password: string;
  /** fullPath (/Common/name) → entries as BIG-IP holds them. */
  lists: Map<string, string[]>;
  /** Forget every token, as a BIG-IP does when they expire. */
  expireTokens(): void;
  observe(list?: string): Set<string>;
}

const err = (code: number, message: string, headers: Record<string, string> = {}) => jsonReply(code, { code, message, errorStack: [], apiError: 3 }, headers);
const ADDRESS = /^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-fA-F:]+)(\/\d{1,3})?$/;

export async function startF5Fake(): Promise<F5Fake> {
  const username = 'bw-api';
  const password = randomBytes(18).toString('base64url');
  const tokens = new Set<string>();
  const lists = new Map<string, string[]>();
  const listState = (fullPath: string) => {
    const [, partition, name] = fullPath.split('/');
    return { kind: 'tm:security:firewall:address-list:address-liststate', name, partition, fullPath, generation: 1, addresses: lists.get(fullPath)!.map((a) => ({ name: a })) };
  };
  const checkAddresses = (problems: string[], a: unknown): string[] | null => {
    if (!Array.isArray(a) || a.some((x) => typeof x?.name !== 'string' || !ADDRESS.test(x.name) || Object.keys(x).some((k) => k !== 'name' && k !== 'description'))) {
      problems.push(`addresses ${JSON.stringify(a)}: want [{"name": "address[/len]"}]`);
      return null;
    }
    return a.map((x: { name: string }) => x.name);
  };

  function handle(req: FakeRequest, problems: string[]): FakeReply {
    if (req.method === 'POST' && req.path === '/mgmt/shared/authn/login') {
      if (!expectJsonBody(problems, req)) return err(400, 'Bad login body');
      if (req.json.loginProviderName !== 'tmos') problems.push(`loginProviderName ${req.json.loginProviderName}`);
      if (req.json.username !== username || req.json.password !== password) return err(401, 'Authentication failed.');
      const t = randomBytes(16).toString('hex').toUpperCase();
      tokens.add(t);
      return jsonReply(200, { username, loginProviderName: 'tmos', token: { token: t, name: t, userName: username, timeout: 1200, startTime: new Date().toISOString() } });
    }
    const tok = req.headers['x-f5-auth-token'];
    const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    if (!(typeof tok === 'string' && tokens.has(tok)) && req.headers.authorization !== basic) {
      return err(401, 'Authorization failed: no user authentication header or token detected. Uri:http://localhost:8100' + req.path);
    }
    if (req.method === 'GET' && req.path === '/mgmt/tm/sys/version') {
      return jsonReply(200, { kind: 'tm:sys:version:versionstats', selfLink: 'https://localhost/mgmt/tm/sys/version?ver=17.1.0', entries: { 'https://localhost/mgmt/tm/sys/version/0': { nestedStats: { entries: { Build: { description: '0.0.4' }, Product: { description: 'BIG-IP' }, Version: { description: '17.1.0' } } } } } });
    }
    const base = '/mgmt/tm/security/firewall/address-list';
    if (req.method === 'POST' && req.path === base) {
      if (!expectJsonBody(problems, req)) return err(400, 'Bad body');
      const { name, partition } = req.json;
      const entries = checkAddresses(problems, req.json.addresses);
      if (typeof name !== 'string' || typeof partition !== 'string' || !entries) return err(400, 'Bad body');
      const full = `/${partition}/${name}`;
      if (lists.has(full)) return err(409, `01020066:3: The requested address list (${full}) already exists in partition ${partition}.`);
      lists.set(full, entries);
      return jsonReply(200, listState(full));
    }
    const m = /^\/mgmt\/tm\/security\/firewall\/address-list\/~([^~/]+)~([^~/]+)$/.exec(req.path);
    if (m) {
      const full = `/${m[1]}/${m[2]}`;
      if (!lists.has(full)) return err(404, `01020036:3: The requested address list (${full}) was not found.`);
      if (req.method === 'GET') return jsonReply(200, listState(full));
      if (req.method === 'PATCH') {
        if (!expectJsonBody(problems, req)) return err(400, 'Bad body');
        const entries = checkAddresses(problems, req.json.addresses);
        if (!entries) return err(400, 'Bad addresses');
        lists.set(full, entries);
        return jsonReply(200, listState(full));
      }
    }
    problems.push(`no such endpoint: ${req.method} ${req.path}`);
    return err(404, `Public URI path not registered: ${req.path}`);
  }

  const fake = await startHttpFake({
    handle,
    failure(mode) {
      if (mode === 'unauthorized') return err(401, 'Authorization failed: user=bw-api resource=/mgmt/tm/security/firewall/address-list verb=PATCH');
      // iControl REST rarely throttles, but a proxy in front of it can: the adapter must still classify it.
      if (mode === 'rate_limited') return err(429, 'Too Many Requests', { 'retry-after': '2' });
      return err(500, 'java.net.ConnectException: Connection refused');
    },
  });
  return Object.assign(fake, {
    username, password, lists,
    expireTokens: () => tokens.clear(),
    observe(list = '/Common/breakwater_blackhole') {
      const out = new Set<string>();
      for (const a of lists.get(list) ?? []) out.add(`blackhole|${a.includes('/') ? a.toLowerCase() : `${a.toLowerCase()}/${a.includes(':') ? 128 : 32}`}`);
      return out;
    },
  });
}
