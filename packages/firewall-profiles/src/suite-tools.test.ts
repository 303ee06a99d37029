// The ufw and firewalld forms checked by the tools themselves (Debian's ufw 0.36 and firewalld
// 1.3, no daemon, no systemd): every profile's ufw commands applied by the real ufw in a private
// mount and network namespace (unshare), so the host's ufw and firewall are never touched; every
// firewalld change checked by firewalld's own rich-rule and port checks, and one whole profile
// applied by firewall-offline-cmd to a private copy of /etc/firewalld.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkRules, PROFILES, renderProfile } from './index.ts';

const q = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
const input = { management: [{ address: '198.18.3.1', port: 8443 }], allowlist: ['192.0.2.80', '2001:db8:80::/48'] };

test('ufw: every profile\'s commands are accepted and applied by the real ufw (private namespace)', { skip: !existsSync('/usr/sbin/ufw') && 'ufw is not installed', timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-ufw-'));
  try {
    for (const p of PROFILES) {
      const r = renderProfile('ufw', { ...input, rules: checkRules('ufw', p.rules.ufw) });
      // A test-only script: the argv words are quoted one by one; the agent never uses a shell.
      const script = ['set -e', 'mount --make-rprivate /', `cp -a /etc/ufw/. ${dir}/`, `mount --bind ${dir} /etc/ufw`, 'ufw --force reset >/dev/null', 'ufw --force enable >/dev/null',
        ...r.commands.map((c) => `ufw ${c.map(q).join(' ')} >/dev/null`), 'ufw status verbose'].join('\n');
      const out = spawnSync('unshare', ['--mount', '--net', 'sh', '-c', script], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(out.status, 0, `${p.id}: ${out.stderr}`);
      assert.match(out.stdout, /Status: active/);
      assert.match(out.stdout, /Default: deny \(incoming\), allow \(outgoing\)/);
      for (const port of p.tcp_ports) assert.match(out.stdout, new RegExp(`^${port}/tcp +(ALLOW|LIMIT) IN +Anywhere`, 'm'), `${p.id}: ${port}/tcp open`);
      for (const port of p.udp_ports) assert.match(out.stdout, new RegExp(`^${port}/udp +ALLOW IN +Anywhere`, 'm'), `${p.id}: ${port}/udp open`);
      assert.match(out.stdout, /Anywhere +ALLOW IN +192\.0\.2\.80/, 'the allowlist is in');
      assert.match(out.stdout, /8443\/tcp +ALLOW IN +198\.18\.3\.1 8443\/tcp|Anywhere +ALLOW IN +198\.18\.3\.1 8443\/tcp/, 'the management path is in');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const PY = String.raw`
import json, sys
from firewall.core.rich import Rich_Rule
from firewall import functions
bad = []
for i, argv in enumerate(json.load(sys.stdin)):
    change = argv[-1]
    key, _, value = change.partition('=')
    try:
        if key == '--add-rich-rule':
            Rich_Rule(rule_str=value).check()
        elif key == '--add-port':
            port, proto = value.split('/')
            assert functions.check_port(port) and proto in ('tcp', 'udp', 'sctp', 'dccp'), 'port'
        elif key == '--set-target':
            assert value in ('ACCEPT', 'DROP', 'REJECT', 'default'), 'target'
        else:
            raise Exception('unchecked ' + key)
    except Exception as e:
        bad.append([i, change, str(e)])
print(json.dumps(bad))
`;

test('firewalld: every profile\'s changes pass firewalld\'s own rich-rule and port checks; game_server applied whole by firewall-offline-cmd', { skip: !existsSync('/usr/bin/firewall-offline-cmd') && 'firewalld is not installed', timeout: 300_000 }, () => {
  const all = PROFILES.flatMap((p) => renderProfile('firewalld', { ...input, rules: checkRules('firewalld', p.rules.firewalld) }).commands);
  const checked = spawnSync('/usr/bin/python3', ['-c', PY], { input: JSON.stringify(all), encoding: 'utf8', timeout: 60_000 });
  assert.equal(checked.status, 0, checked.stderr);
  assert.deepEqual(JSON.parse(checked.stdout), [], `${all.length} changes checked`);
  // A bad one is caught by the same check, so the check is not a no-op.
  const wrong = spawnSync('/usr/bin/python3', ['-c', PY], { input: JSON.stringify([['--add-rich-rule=rule port port="70000" protocol="udp" accept']]), encoding: 'utf8' });
  assert.match(JSON.parse(wrong.stdout)[0][2], /INVALID_PORT/);

  const dir = mkdtempSync(join(tmpdir(), 'bw-firewalld-'));
  try {
    const game = renderProfile('firewalld', { ...input, rules: checkRules('firewalld', PROFILES[0]!.rules.firewalld) });
    // firewall-offline-cmd changes the permanent configuration only: it takes no --permanent.
    const script = ['set -e', 'mount --make-rprivate /', `cp -a /etc/firewalld/. ${dir}/`, `mount --bind ${dir} /etc/firewalld`,
      // A host that already has a bw-profile zone (an agent applied a profile there) must not fail the check.
      'rm -f /etc/firewalld/zones/bw-profile.xml /etc/firewalld/zones/bw-profile.xml.old', 'firewall-offline-cmd --new-zone=bw-profile >/dev/null',
      ...game.commands.map((c) => `firewall-offline-cmd ${c.filter((w) => w !== '--permanent').map(q).join(' ')} >/dev/null`), 'firewall-offline-cmd --check-config >/dev/null', 'cat /etc/firewalld/zones/bw-profile.xml'].join('\n');
    const out = spawnSync('unshare', ['--mount', 'sh', '-c', script], { encoding: 'utf8', timeout: 240_000 });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /<zone target="DROP">/);
    assert.match(out.stdout, /<port port="25565" protocol="tcp"\/>/);
    assert.match(out.stdout, /<source address="192\.0\.2\.0\/24"\/>\s*<drop\/>/);
    assert.match(out.stdout, /<icmp-type name="echo-request"\/>\s*<accept>\s*<limit value="10\/s"\/>/);
    assert.match(out.stdout, /<source address="198\.18\.3\.1"\/>\s*<accept\/>/, 'the management path is in');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
