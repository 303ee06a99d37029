// FastNetMon (Debian fastnetmon, pcap mode) watching the same interface with the same
// threshold, as the peer the agent's latency is compared with.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function fastnetmonConfig(dir: string, iface: string, victim: string, thresholdPps: number): string {
  const set: Record<string, string> = {
    mirror_afpacket: 'off', pcap: 'on', interfaces: iface, networks_list_path: join(dir, 'networks'), threshold_pps: String(thresholdPps),
    ban_time: '20', notify_script_path: join(dir, 'notify.sh'), disable_usage_report: 'on', enable_api: 'off', prometheus: 'off',
    pid_path: join(dir, 'fastnetmon.pid'), enable_ban: 'on', process_incoming_traffic: 'on',
  };
  writeFileSync(join(dir, 'networks'), `${victim}/32\n`);
  writeFileSync(join(dir, 'notify.sh'), `#!/bin/sh\necho "$(date +%s%3N) $*" >> ${join(dir, 'fnm-events.log')}\ncat > /dev/null\n`);
  chmodSync(join(dir, 'notify.sh'), 0o755);
  const base = readFileSync('/etc/fastnetmon.conf', 'utf8').split('\n').filter((l) => !Object.keys(set).some((k) => new RegExp(`^\\s*${k}\\s*=`).test(l)));
  const path = join(dir, 'fastnetmon.conf');
  writeFileSync(path, [...base, ...Object.entries(set).map(([k, v]) => `${k} = ${v}`)].join('\n') + '\n');
  return path;
}

/** Times (ms) at which FastNetMon's notify script was called for a ban. */
export function fastnetmonBans(dir: string): number[] {
  const log = join(dir, 'fnm-events.log');
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').split('\n').filter((l) => / ban$| ban /.test(l)).map((l) => Number(l.split(' ')[0]));
}
