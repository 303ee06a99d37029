// A per-source rate limit (what the policy sends for an HTTP flood) against the real nftables, in
// namespaces of the test's own: the heavy source is held to its limit while a light source at the
// same time passes whole, which a limit shared by all sources would not do.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { withNamespaces } from '@breakwater/testing';

const here = import.meta.dirname;

test('nftables: rate_limit with per_source holds each source to its own limit (a meter per address), removable by its command', { timeout: 60_000 }, async () => {
  await withNamespaces(async (n) => {
    const light = n.attackerIp.replace(/\.1$/, '.2');
    execFileSync('ip', ['-n', n.attacker, 'addr', 'add', `${light}/24`, 'dev', n.attackerIf]);
    const inVictim = (body: string) => {
      const js = `import { NftExecutor } from ${JSON.stringify(join(here, 'nft-executor.ts'))};
        const nft = new NftExecutor(); const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n'); ${body}`;
      const r = spawnSync('ip', ['netns', 'exec', n.victim, process.execPath, '--input-type=module', '-e', js], { encoding: 'utf8', timeout: 30_000, cwd: join(here, '..', '..') });
      if (r.status !== 0) throw new Error(r.stderr);
      return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    };
    inVictim(`await nft.start(); await nft.apply(7, 'rate_limit', { protocol: 'tcp', port: 8080, pps: 100, per_source: true, ttl: 120 });`);
    // What passes the guard, per source: counted after it (a later hook), where dropped packets never arrive.
    execFileSync('ip', ['netns', 'exec', n.victim, 'nft', '-f', '-'], { input: `table ip bwtest {
      chain c { type filter hook input priority 0; policy accept;
        ip saddr ${n.attackerIp} tcp dport 8080 counter comment "heavy"
        ip saddr ${light} tcp dport 8080 counter comment "light"
      }
    }\n` });
    const flood = (src: string, count: number, interval: string) => new Promise<number>((resolve) => {
      const c = spawn('ip', ['netns', 'exec', n.attacker, 'hping3', '-S', '-p', '8080', '-a', src, '-i', interval, '-c', String(count), '-q', n.victimIp], { stdio: 'ignore' });
      c.on('exit', (code) => resolve(code ?? 1));
    });
    // Heavy: 3000 SYNs in ~0.6 s (~5000/s); light: 40 in ~0.8 s (~50/s), at the same time.
    const codes = await Promise.all([flood(n.attackerIp, 3000, 'u200'), flood(light, 40, 'u20000')]);
    assert.ok(codes.every((c) => c === 0 || c === 1), `hping3 exit codes ${codes.join(',')}`);
    const listing = execFileSync('ip', ['netns', 'exec', n.victim, 'nft', 'list', 'table', 'ip', 'bwtest'], { encoding: 'utf8' });
    const passed = (what: string) => Number(new RegExp(`counter packets (\\d+) bytes \\d+ comment "${what}"`).exec(listing)?.[1] ?? -1);
    assert.equal(passed('light'), 40, `the light source passes whole: ${listing}`);
    const heavy = passed('heavy');
    assert.ok(heavy >= 50 && heavy < 1000, `the heavy source is held near 100/s (plus the burst): ${heavy} of 3000 passed`);
    const [after] = inVictim(`await nft.remove({ undo: { comment: 'bw-cmd-7' }, ttlSeconds: 120 }); out(await nft.dropCounters()); await nft.stop();`);
    assert.ok(!('bw-cmd-7' in after), 'both rules (IPv4 and IPv6) of the command are gone');
  });
});
