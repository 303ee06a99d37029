// The Hetzner Robot webservice as documented: HTTP Basic auth with the webservice user, POST
// parameters as application/x-www-form-urlencoded, JSON replies, errors as
// {"error": {"status", "code", "message"}}; the request limit is a 403 with code
// RATE_LIMIT_EXCEEDED (and max_request / interval), not a 429.
// https://robot.hetzner.com/doc/webservice/en.html#general  ·  #firewall
import { ScrubbingError } from '../errors.ts';
import { joinUrl, providerCall, replyFailure, type ProviderReply } from '../http.ts';
import type { ScrubbingDeps } from '../provider.ts';

export const ROBOT_API = 'https://robot-ws.your-server.de';

/** One input or output rule as Robot shows and takes it (absent fields are null in replies). */
export interface RobotRule {
  ip_version?: string | null;
  name?: string | null;
  dst_ip?: string | null;
  src_ip?: string | null;
  dst_port?: string | null;
  src_port?: string | null;
  protocol?: string | null;
  tcp_flags?: string | null;
  action: string;
}

export interface RobotFirewall {
  server_ip?: string;
  status: string;
  filter_ipv6?: boolean;
  whitelist_hos?: boolean;
  port?: string;
  rules: { input: RobotRule[]; output: RobotRule[] };
}

const RULE_FIELDS = ['ip_version', 'name', 'dst_ip', 'src_ip', 'dst_port', 'src_port', 'protocol', 'tcp_flags', 'action'] as const;

/** The POST /firewall/{server-id} form: status, switches and every rule, fields absent when null. */
export function firewallForm(fw: { status: string; filter_ipv6: boolean; whitelist_hos: boolean; rules: { input: RobotRule[]; output: RobotRule[] } }): string {
  const form = new URLSearchParams();
  form.set('status', fw.status);
  form.set('filter_ipv6', String(fw.filter_ipv6));
  form.set('whitelist_hos', String(fw.whitelist_hos));
  for (const dir of ['input', 'output'] as const) {
    fw.rules[dir].forEach((rule, i) => {
      for (const f of RULE_FIELDS) {
        const v = rule[f];
        if (v !== null && v !== undefined && v !== '') form.set(`rules[${dir}][${i}][${f}]`, v);
      }
    });
  }
  return form.toString();
}

/** The firewall out of a reply ({"firewall": {...}}), or null when it is not one. */
export function parseFirewall(json: unknown): RobotFirewall | null {
  const fw = (json as { firewall?: unknown } | null)?.firewall as Partial<RobotFirewall> | undefined;
  if (!fw || typeof fw.status !== 'string' || !fw.rules || typeof fw.rules !== 'object') return null;
  const list = (v: unknown) => (Array.isArray(v) ? (v as RobotRule[]).filter((r) => r && typeof r.action === 'string') : []);
  return { ...fw, status: fw.status, rules: { input: list(fw.rules.input), output: list(fw.rules.output) } };
}

export type RobotCall = (method: 'GET' | 'POST', path: string, what: string, form?: string) => Promise<ProviderReply>;

/** Calls that resolve with 2xx replies only. */
export function robotApi(deps: ScrubbingDeps, base: string, user: string, password: string): RobotCall {
  const secrets = [password, Buffer.from(`${user}:${password}`).toString('base64')];
  const authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  return async (method, path, what, form) => {
    const label = `hetzner: ${what}`;
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const reply = await providerCall(deps, { method, url: joinUrl(base, path), headers, body: form }, label, secrets);
    if (reply.status >= 200 && reply.status < 300) return reply;
    const e = (reply.json as { error?: { code?: unknown; message?: unknown; interval?: unknown } } | null)?.error;
    const reason = typeof e?.code === 'string' ? `${typeof e.message === 'string' ? e.message : 'error'} (${e.code})` : null;
    if (reply.status === 403 && e?.code === 'RATE_LIMIT_EXCEEDED') {
      // Robot says how long its window is, not when it reopens: at most one window.
      const windowS = typeof e.interval === 'number' && e.interval > 0 ? e.interval : 3600;
      const f = replyFailure(label, reply, secrets, reason, deps);
      throw new ScrubbingError('rate_limited', `${f.message} (request limit; window ${windowS} s)`, { status: 403, retryAfterMs: windowS * 1000 });
    }
    if (reply.status === 409 && e?.code === 'FIREWALL_IN_PROCESS') {
      // FIREWALL_IN_PROCESS: Robot is still applying the last change; the same call passes later.
      const f = replyFailure(label, reply, secrets, reason, deps);
      throw new ScrubbingError('provider', f.message, { status: 409 });
    }
    throw replyFailure(label, reply, secrets, reason, deps);
  };
}
