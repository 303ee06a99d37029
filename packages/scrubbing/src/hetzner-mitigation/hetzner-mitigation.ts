// Hetzner (dedicated servers, Robot): no diversion switch. Hetzner's DDoS protection filters every
// server's traffic automatically and always; the Robot webservice offers no call to change or force
// it (its API covers servers, IPs, reset, boot, rDNS, traffic, keys, firewall, vSwitch). The nearest
// documented action is the Robot firewall, which Hetzner applies in front of the server (on the
// switch port) so dropped traffic never reaches the server's uplink:
//
//   GET  /firewall/{server-id}   → {"firewall": {status: active|disabled|in process, filter_ipv6, whitelist_hos, rules: {input, output}}}
//   POST /firewall/{server-id}   form: status, filter_ipv6, whitelist_hos, rules[input][n][field]…, rules[output][n][field]…
//
// Enable puts our rules first in the input list (Robot matches top-down, first match wins): accept
// TCP to the allowed ports of the target, accept TCP replies (ACK to 32768-65535: the firewall is
// stateless, the server's own connections must keep working), then discard everything else to the
// target. The operator's rules stay below ours and take over again on disable, which removes our
// rules (recognised by their name prefix) and disables the firewall again if enable had to turn it
// on (the discard rule's name records that, so a restart loses nothing). Robot allows 10 input rules.
// While diverting, UDP and ICMP to the target are dropped — DNS replies to the server included.
// Robot reports "in process" until a change is applied: propagating / withdrawing until then.
// https://robot.hetzner.com/doc/webservice/en.html#firewall
// https://docs.hetzner.com/robot/dedicated-server/firewall/
// https://docs.hetzner.com/robot/dedicated-server/security/ddos-protection/
import type { ScrubbingCapabilities, ScrubbingStatus } from '@breakwater/contracts';
import { parseAddress } from '@breakwater/contracts';
import { baseUrl, scrubbingConfig } from '../config.ts';
import { ScrubbingError } from '../errors.ts';
import { serialQueue } from '../http.ts';
import type { ScrubbingFactory, ScrubbingProvider } from '../provider.ts';
import { coveringEntry, namedTarget } from '../targets.ts';
import { probeTest } from '../test-result.ts';
import { ROBOT_API, firewallForm, parseFirewall, robotApi, type RobotFirewall, type RobotRule } from './robot-api.ts';

export const HETZNER_CAPABILITIES: ScrubbingCapabilities = {
  diverts: false,
  mechanism: 'firewall_rules',
  action: 'Hetzner has no diversion switch (its DDoS protection is automatic and always on): the Robot firewall in front of the server admits only the allowed TCP ports and replies to the server\'s own TCP connections, and discards the rest before the uplink',
  target_kind: 'ip',
  advertise_seconds: 0,
  withdraw_seconds: 0,
  docs: [
    'https://robot.hetzner.com/doc/webservice/en.html#firewall',
    'https://docs.hetzner.com/robot/dedicated-server/firewall/',
    'https://docs.hetzner.com/robot/dedicated-server/security/ddos-protection/',
  ],
};

export const RULE_PREFIX = 'bw-scrub';
/** The name of our discard rule when enable had to turn the firewall on (disable turns it off again). */
const DROP_WAS_OFF = `${RULE_PREFIX} drop, was off`;
const DROP = `${RULE_PREFIX} drop`;
export const MAX_INPUT_RULES = 10;

const ours = (r: RobotRule) => typeof r.name === 'string' && r.name.startsWith(RULE_PREFIX);

/** Our rules for `ip`, first in the list; `wasOff` marks that the firewall was disabled before. */
export function scrubRules(ip: string, ports: readonly number[], wasOff: boolean): RobotRule[] {
  const v6 = parseAddress(ip)?.family === 6;
  const base = { ip_version: v6 ? 'ipv6' : 'ipv4', dst_ip: `${ip}/${v6 ? 128 : 32}` };
  return [
    ...ports.map((p) => ({ ...base, name: `${RULE_PREFIX} tcp ${p}`, protocol: 'tcp', dst_port: String(p), action: 'accept' })),
    { ...base, name: `${RULE_PREFIX} tcp replies`, protocol: 'tcp', dst_port: '32768-65535', tcp_flags: 'ack', action: 'accept' },
    { ...base, name: wasOff ? DROP_WAS_OFF : DROP, action: 'discard' },
  ];
}

export function stateOfFirewall(target: string, fw: RobotFirewall): ScrubbingStatus {
  const mine = fw.rules.input.filter(ours);
  const base = { target, since: null, settles_at: null };
  if (mine.length > 0) {
    if (fw.status === 'in process') return { ...base, state: 'propagating', detail: 'Robot is applying the firewall with our rules (in process)' };
    if (fw.status === 'active') return { ...base, state: 'diverting', detail: `Robot firewall active with ${mine.length} rules of ours first` };
    return { ...base, state: 'failed', detail: `our rules are in the firewall but it is ${fw.status.slice(0, 20)}` };
  }
  if (fw.status === 'in process') return { ...base, state: 'withdrawing', detail: 'Robot is applying the firewall without our rules (in process)' };
  return { ...base, state: 'idle', detail: `Robot firewall ${fw.status.slice(0, 20)}, no rules of ours` };
}

export const createHetznerMitigationProvider: ScrubbingFactory = (raw, deps) => {
  const cfg = scrubbingConfig('hetzner_mitigation', raw);
  const ports = cfg.allow_tcp_ports ?? [22, 80, 443];
  if (ports.length + 2 > MAX_INPUT_RULES) throw ScrubbingError.config('config.allow_tcp_ports', `must list at most ${MAX_INPUT_RULES - 2} ports (Robot allows ${MAX_INPUT_RULES} input rules; two more are needed)`);
  const api = robotApi(deps, baseUrl(cfg.api_url, ROBOT_API), cfg.username, cfg.password);
  const servers = cfg.server_ips;
  const queue = serialQueue();
  const numbers = new Map(Object.entries(cfg.server_numbers ?? {}));
  for (const ip of numbers.keys()) if (!servers.includes(ip)) throw ScrubbingError.config(`config.server_numbers.${ip}`, 'must be one of server_ips');
  // Robot deprecates naming the firewall by the server's main IP: its number where the config gives it.
  const path = (ip: string) => `/firewall/${numbers.get(ip) ?? encodeURIComponent(ip)}`;

  async function read(ip: string): Promise<RobotFirewall> {
    const reply = await api('GET', path(ip), `read the firewall of ${ip}`);
    const fw = parseFirewall(reply.json);
    if (!fw) throw new ScrubbingError('provider', `hetzner: read the firewall of ${ip}: the reply holds no firewall`, { status: reply.status });
    return fw;
  }

  async function write(ip: string, fw: RobotFirewall, status: string, input: RobotRule[], what: string): Promise<ScrubbingStatus> {
    const form = firewallForm({ status, filter_ipv6: fw.filter_ipv6 === true || (parseAddress(ip)?.family === 6 && status === 'active'), whitelist_hos: fw.whitelist_hos !== false, rules: { input, output: fw.rules.output } });
    const reply = await api('POST', path(ip), what, form);
    const after = parseFirewall(reply.json);
    return stateOfFirewall(ip, after ?? { ...fw, status: 'in process', rules: { input, output: fw.rules.output } });
  }

  const provider: ScrubbingProvider = {
    type: 'hetzner_mitigation',
    capabilities: HETZNER_CAPABILITIES,
    // A server's main IP covers only itself: a wider prefix is not one server's to firewall.
    targetFor: (address) => coveringEntry(servers, address),
    targets: () => [...servers],
    test: () => probeTest(deps, () => read(servers[0]!)),
    status: async (target) => {
      const ip = namedTarget(servers, target);
      return stateOfFirewall(ip, await read(ip));
    },
    enable: async (target) => {
      const ip = namedTarget(servers, target);
      return queue(async () => {
        const fw = await read(ip);
        if (fw.rules.input.some(ours)) return stateOfFirewall(ip, fw);
        const theirs = fw.rules.input;
        const rules = scrubRules(ip, ports, fw.status === 'disabled');
        if (rules.length + theirs.length > MAX_INPUT_RULES) {
          throw new ScrubbingError('refused', `hetzner: the firewall of ${ip} has ${theirs.length} input rules; ours need ${rules.length} more and Robot allows ${MAX_INPUT_RULES} (fewer config.allow_tcp_ports, or fewer rules of your own)`);
        }
        return write(ip, fw, 'active', [...rules, ...theirs], `add the scrubbing rules for ${ip}`);
      });
    },
    disable: async (target) => {
      const ip = namedTarget(servers, target);
      return queue(async () => {
        const fw = await read(ip);
        const mine = fw.rules.input.filter(ours);
        if (mine.length === 0) return stateOfFirewall(ip, fw);
        const wasOff = mine.some((r) => r.name === DROP_WAS_OFF);
        return write(ip, fw, wasOff ? 'disabled' : 'active', fw.rules.input.filter((r) => !ours(r)), `remove the scrubbing rules for ${ip}`);
      });
    },
  };
  return provider;
};
