// Test-only: one step of a profile firewall's life in a process of its own, run by
// profiles-suites.test.ts inside a private mount+net namespace (nsenter), so each step is a
// fresh agent process over the same spool dir: `<suite> <spool_dir> <action> [profile_id]`.
// Prints one JSON line: { ok, error, out }.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FirewallSuite, ProfileId } from '@breakwater/contracts';
import { checkRules, getProfile, renderProfile } from '@breakwater/firewall-profiles';
import { PROFILE_FIREWALLS } from '../firewall/profile-commands.ts';

const [suite, dir, action, arg] = process.argv.slice(2) as [FirewallSuite, string, string, string | undefined];

/** Every file under the given roots with its mode and a digest of its bytes. */
function tree(roots: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else out[p] = `${(st.mode & 0o7777).toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
  };
  roots.forEach(walk);
  return out;
}

const run = (program: string, args: string[]) => spawnSync(program, args, { encoding: 'utf8' }).stdout ?? '';
// iptables-save's first and last lines are comments with the time: not the ruleset.
const ipt = () => [run('iptables-save', []), run('ip6tables-save', [])].join('').split('\n').filter((l) => !l.startsWith('#')).join('\n');

function state(): unknown {
  switch (suite) {
    case 'ufw':
      return { files: tree(['/etc/ufw', '/etc/default/ufw']), status: run('ufw', ['status', 'verbose']), kernel: ipt() };
    case 'firewalld':
      return { files: tree(['/etc/firewalld']) };
    case 'nftables':
      return { kernel: run('nft', ['list', 'ruleset']) };
    case 'iptables':
      return { kernel: ipt() };
  }
}

const BAD: Partial<Record<FirewallSuite, string[]>> = { ufw: ['allow', '70000/tcp'], firewalld: ['--permanent', '--zone=bw-profile', '--add-port=70000/tcp'] };

async function main(): Promise<unknown> {
  const fw = PROFILE_FIREWALLS[suite](dir);
  const render = () => renderProfile(suite, { rules: checkRules(suite, getProfile(arg as ProfileId).rules[suite]), management: [{ address: '198.18.3.1', port: 8443 }], allowlist: ['192.0.2.80'] });
  switch (action) {
    case 'state':
      return state();
    case 'listing':
      return fw.listing();
    case 'apply':
      return fw.apply(render());
    case 'apply-bad': {
      // The profile with one change the tool itself refuses, last (the parsers would have refused it first).
      const r = render();
      return fw.apply({ ...r, commands: [...r.commands, BAD[suite]!] });
    }
    case 'rollback':
      return fw.rollback();
    default:
      throw new Error(`unknown action ${action}`);
  }
}

main().then(
  (out) => console.log(JSON.stringify({ ok: true, error: null, out: out ?? null })),
  (e: Error) => console.log(JSON.stringify({ ok: false, error: e.message, out: null })),
);
