// FastNetMon (Debian fastnetmon, pcap mode) watching the same interface with the same
// threshold, as the peer the agent's latency is compared with.
//
// Its ban outlives ban_time: the unban watchdog runs periodically (and only once the attack's
// averaged speed has fallen, unban_only_if_attack_finished), so a ban of ban_time 20 s was lifted
// 22.9 s after it was made in the 2026-12-07 run. The old bench started the next flood a fixed 21 s
// after the incident resolved, about 24 s after the ban: ~1 s of margin against a watchdog phase
// that drifts against the bench's cycle, so every second or third flood hit a host FastNetMon
// still held banned, and a banned host is not reported again — the regular pattern of misses.
// The bench now lifts the ban through FastNetMon's own API (enable_api, fastnetmon_api_client
// unban) and waits for the unban callback before the next flood: every flood finds it clean.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function fastnetmonConfig(dir: string, iface: string, victim: string, thresholdPps: number): string {
  const set: Record<string, string> = {
    mirror_afpacket: 'off', pcap: 'on', interfaces: iface, networks_list_path: join(dir, 'networks'), threshold_pps: String(thresholdPps),
    ban_time: '20', notify_script_path: join(dir, 'notify.sh'), disable_usage_report: 'on', enable_api: 'on', prometheus: 'off',
    pid_path: join(dir, 'fastnetmon.pid'), enable_ban: 'on', process_incoming_traffic: 'on',
    // its fastest: speeds averaged over 1 s instead of the default 5 s (with 5 s a 1.5 s flood at
    // 1.2-2x the threshold never reaches it at all)
    average_calculation_time: '1',
  };
  writeFileSync(join(dir, 'networks'), `${victim}/32\n`);
  writeFileSync(join(dir, 'notify.sh'), `#!/bin/sh\necho "$(date +%s%3N) $*" >> ${join(dir, 'fnm-events.log')}\ncat > /dev/null\n`);
  chmodSync(join(dir, 'notify.sh'), 0o755);
  const base = readFileSync('/etc/fastnetmon.conf', 'utf8').split('\n').filter((l) => !Object.keys(set).some((k) => new RegExp(`^\\s*${k}\\s*=`).test(l)));
  const path = join(dir, 'fastnetmon.conf');
  writeFileSync(path, [...base, ...Object.entries(set).map(([k, v]) => `${k} = ${v}`)].join('\n') + '\n');
  return path;
}

/** Its notify script's calls in order: time (ms) and action. */
export function fastnetmonEvents(dir: string): { at: number; action: 'ban' | 'unban' }[] {
  const log = join(dir, 'fnm-events.log');
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').split('\n').flatMap((l) => {
    const m = / (ban|unban)( |$)/.exec(l);
    return m ? [{ at: Number(l.split(' ')[0]), action: m[1] as 'ban' | 'unban' }] : [];
  });
}

/** True while its last ban has not been followed by an unban. */
export function fastnetmonHoldsBan(dir: string): boolean {
  return fastnetmonEvents(dir).at(-1)?.action === 'ban';
}

/** Lifts the ban through FastNetMon's API (it listens in the victim's namespace). */
export function fastnetmonUnban(netns: string, ip: string): string {
  const r = spawnSync('ip', ['netns', 'exec', netns, 'fastnetmon_api_client', 'unban', ip], { encoding: 'utf8', timeout: 10_000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

/** Times (ms) at which FastNetMon's notify script was called for a ban. */
export function fastnetmonBans(dir: string): number[] {
  const log = join(dir, 'fnm-events.log');
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').split('\n').filter((l) => / ban$| ban /.test(l)).map((l) => Number(l.split(' ')[0]));
}
