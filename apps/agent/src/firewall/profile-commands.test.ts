// profile_apply on the agent: the rules are parsed again (a rule the server should have refused
// is refused here, naming its index), a suite this node does not run is refused, the render puts
// the agent's own server connection first, and a failed apply reports that the old state is back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RenderedProfile } from '@breakwater/firewall-profiles';
import { FirewallError } from './firewall-executor.ts';
import { ProfileCommands } from './profile-commands.ts';
import type { ProfileFirewall } from './profile-firewall.ts';

class Recording implements ProfileFirewall {
  readonly suite = 'nftables' as const;
  applied: RenderedProfile[] = [];
  rolledBack = 0;
  fail = false;
  async apply(p: RenderedProfile): Promise<void> {
    if (this.fail) throw new FirewallError('nft failed (1): syntax error');
    this.applied.push(p);
  }
  async rollback(): Promise<void> {
    this.rolledBack += 1;
  }
  async listing(): Promise<string> {
    return '';
  }
}

test('profile commands: parsed again on the agent, suite checked, management first, failures say the old state is back', async () => {
  const fw = new Recording();
  const pc = new ProfileCommands(fw, async () => [{ address: '198.18.9.1', port: 8443 }]);
  const rules = [{ cmd: 'tcp dport 443 accept', title: 'https' }];
  assert.deepEqual(await pc.apply({ profile_id: 'saas', suite: 'iptables', rules, allowlist: [] }), { status: 'rejected', error: 'suite: this node applies nftables profiles, not iptables' });
  const bad = await pc.apply({ profile_id: 'saas', suite: 'nftables', rules: [...rules, { cmd: 'tcp dport 22 accept; flush ruleset', title: 'x' }], allowlist: [] });
  assert.equal(bad.status, 'rejected');
  assert.match(bad.error!, /^rules\[1\]\.cmd: .*";" is not allowed/);
  assert.equal(fw.applied.length, 0, 'nothing applied');
  const ok = await pc.apply({ profile_id: 'saas', suite: 'nftables', rules, allowlist: ['192.0.2.8'] });
  assert.equal(ok.status, 'applied');
  const script = fw.applied[0]!.script.nft!;
  const [mgmt, allow, rule] = ['198.18.9.1 tcp sport 8443 accept', '192.0.2.8', 'tcp dport 443 accept'].map((x) => script.indexOf(x));
  assert.ok(mgmt! > 0 && mgmt! < allow! && allow! < rule!, script);
  fw.fail = true;
  const failed = await pc.apply({ profile_id: 'saas', suite: 'nftables', rules, allowlist: [] });
  assert.deepEqual(failed, { status: 'failed', error: 'nft failed (1): syntax error; the previous firewall state is back' });
  assert.deepEqual(await pc.rollback(), { status: 'applied', error: null, output: 'the firewall is as it was before the profile' });
  assert.equal(fw.rolledBack, 1);
});
