// Every profile of every suite parses; rules that are not rules, or are more than one rule,
// are refused naming their index and key; what comes out is the tool's argv.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIREWALL_SUITES, PROFILE_IDS } from '@breakwater/contracts';
import { checkRules, PROFILES, RuleSetError, renderProfile, renderText } from './index.ts';

test('all eleven profiles exist in all four suites, every rule has a title and a reason, and every rule parses', () => {
  assert.deepEqual(PROFILES.map((p) => p.id), [...PROFILE_IDS]);
  for (const p of PROFILES) {
    for (const s of FIREWALL_SUITES) {
      const rules = p.rules[s];
      assert.ok(rules.length >= 4, `${p.id}/${s} has ${rules.length} rules`);
      for (const r of rules) assert.ok(r.title.length > 0 && r.reason.length > 0, `${p.id}/${s}: ${JSON.stringify(r)}`);
      assert.equal(checkRules(s, rules).length, rules.length);
    }
    // Every open TCP port is open in every suite's text.
    for (const port of p.tcp_ports) {
      assert.match(p.rules.nftables.map((r) => r.cmd).join('\n'), new RegExp(`tcp dport \\{[^}]*\\b${port}\\b`));
      assert.match(p.rules.iptables.map((r) => r.cmd).join('\n'), new RegExp(`--dports [0-9,]*\\b${port}\\b`));
      assert.ok(p.rules.ufw.some((r) => r.cmd.includes(` ${port}/tcp`)), `${p.id} ufw ${port}`);
      assert.ok(p.rules.firewalld.some((r) => r.cmd.includes(`--add-port=${port}/tcp`)), `${p.id} firewalld ${port}`);
    }
  }
});

test('the parsers give each tool its argv', () => {
  assert.deepEqual(checkRules('iptables', [{ cmd: 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', title: 't' }])[0]!.argv, ['-p', 'tcp', '--dport', '22', '-j', 'ACCEPT']);
  assert.equal(checkRules('iptables', [{ cmd: 'ip6tables -s 2001:db8::/32 -j DROP', title: 't' }])[0]!.family, 6);
  assert.deepEqual(checkRules('nftables', [{ cmd: 'nft add rule inet filter input tcp dport {22,443} accept', title: 't' }])[0]!.argv, ['tcp', 'dport', '{', '22', ',', '443', '}', 'accept']);
  assert.deepEqual(checkRules('ufw', [{ cmd: 'ufw allow proto udp from 10.0.0.0/8 to any port 500,4500', title: 't' }])[0]!.argv, ['allow', 'proto', 'udp', 'from', '10.0.0.0/8', 'to', 'any', 'port', '500,4500']);
  assert.deepEqual(checkRules('firewalld', [{ cmd: `firewall-cmd --add-rich-rule='rule family="ipv4" source address="192.0.2.0/24" drop'`, title: 't' }])[0]!.argv, ['--permanent', '--zone=bw-profile', '--add-rich-rule=rule family="ipv4" source address="192.0.2.0/24" drop']);
});

test('bad rules are refused naming the index and the key, and what is allowed', () => {
  const refusals: [Parameters<typeof checkRules>[0], unknown[], RegExp][] = [
    ['iptables', [{ cmd: '-p tcp -j ACCEPT', title: 'ok' }, { cmd: 'iptables -A INPUT -p tcp -j ACCEPT; rm -rf /', title: 'x' }], /^rules\[1\]\.cmd: .*character ";" is not allowed/],
    ['iptables', [{ cmd: 'iptables -t nat -A POSTROUTING -j MASQUERADE', title: 'x' }], /^rules\[0\]\.cmd: .*option "-t" is not allowed/],
    ['iptables', [{ cmd: 'iptables -A OUTPUT -j DROP', title: 'x' }], /^rules\[0\]\.cmd: .*chain: "OUTPUT"; allowed: INPUT/],
    ['iptables', [{ cmd: 'iptables -p tcp --dport 70000 -j ACCEPT', title: 'x' }], /^rules\[0\]\.cmd: .*--dport: "70000"; allowed: a port/],
    ['iptables', [{ cmd: 'iptables -p tcp --dport 22', title: 'x' }], /^rules\[0\]\.cmd: .*-j: missing/],
    ['iptables', [{ cmd: 'iptables -s 2001:db8::1 -j DROP', title: 'x' }], /^rules\[0\]\.cmd: .*IPv6, the rule is for iptables/],
    ['nftables', [{ cmd: 'tcp dport 22 accept', title: 'x' }, { cmd: 'jump evil', title: 'y' }], /^rules\[1\]\.cmd: .*word "jump" is not allowed/],
    ['nftables', [{ cmd: 'tcp dport 22', title: 'x' }], /^rules\[0\]\.cmd: .*must end in a verdict/],
    ['nftables', [{ cmd: 'iifname "lo}" accept', title: 'x' }], /^rules\[0\]\.cmd: .*not an interface name|not allowed/],
    ['ufw', [{ cmd: 'ufw enable', title: 'x' }], /^rules\[0\]\.cmd: .*action: "enable"; allowed: allow, deny, reject, limit/],
    ['ufw', [{ cmd: 'ufw allow 1000:2000', title: 'x' }], /^rules\[0\]\.cmd: .*ranges need the protocol/],
    ['firewalld', [{ cmd: 'firewall-cmd --zone=public --add-port=22/tcp', title: 'x' }], /^rules\[0\]\.cmd: .*--zone: allowed: bw-profile/],
    ['firewalld', [{ cmd: `firewall-cmd --add-rich-rule='rule source address="10.0.0.0/8" drop'`, title: 'x' }], /^rules\[0\]\.cmd: .*needs family/],
    ['firewalld', [{ cmd: 'firewall-cmd --direct --add-rule ipv4 filter INPUT 0 -j ACCEPT', title: 'x' }], /^rules\[0\]\.cmd: .*option "--direct" is not allowed/],
    ['nftables', [{ cmd: 'tcp dport 22 accept' }], /^rules\[0\]\.title: must be a non-empty string/],
    ['nftables', [{ cmd: 5, title: 'x' }], /^rules\[0\]\.cmd: must be a nftables rule as a string/],
    ['nftables', ['tcp dport 22 accept'], /^rules\[0\]: must be an object/],
    ['nftables', [{ cmd: 'tcp dport 22 accept', title: 'x', run: true }], /^rules\[0\]\.run: unknown key/],
  ];
  for (const [suite, rules, message] of refusals) {
    assert.throws(() => checkRules(suite, rules), (e: Error) => e instanceof RuleSetError && message.test(e.message), `${suite} ${JSON.stringify(rules)} → ${message}`);
  }
});

test('rendering: the management path and the allowlist come before every profile rule, in every suite', () => {
  const input = { management: [{ address: '198.18.7.1', port: 8443 }], allowlist: ['192.0.2.9', '2001:db8::/48', 'not-an-ip'] };
  for (const s of FIREWALL_SUITES) {
    const rules = checkRules(s, PROFILES[0]!.rules[s]);
    const text = renderText(renderProfile(s, { ...input, rules }));
    const first = text.indexOf(rules[0]!.argv.join(' '));
    assert.ok(first > 0, `${s}: the first rule is in the text`);
    assert.ok(text.indexOf('198.18.7.1') >= 0 && text.indexOf('198.18.7.1') < first, `${s}: management first\n${text}`);
    assert.ok(text.indexOf('192.0.2.9') >= 0 && text.indexOf('192.0.2.9') < first, `${s}: allowlist before the rules`);
    assert.ok(!text.includes('not-an-ip'), `${s}: an unparsable allowlist entry is left out`);
  }
});
