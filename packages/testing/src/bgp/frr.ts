// FRR's bgpd alone in a namespace (no zebra: -Z, nothing goes to the kernel), with its config,
// pid file and vty socket in a directory of the run, so vtysh --vty_socket reaches it from the
// root namespace and nothing touches /etc/frr or /var/run/frr.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRestartable, type RestartableDaemon } from './daemon.ts';
import { run, runOk } from './exec.ts';

export interface BgpdInstance extends RestartableDaemon {
  /** The directory holding bgpd.vty: the frr adapter's endpoint. */
  vtyDir: string;
  vtysh: (commands: string[]) => Promise<string>;
}

export async function startBgpd(o: { ns: string; dir: string; name: string; config: string }): Promise<BgpdInstance> {
  const vtyDir = join(o.dir, `frr-${o.name}`);
  mkdirSync(vtyDir, { recursive: true });
  const configPath = join(vtyDir, 'bgpd.conf');
  writeFileSync(configPath, o.config);
  const vtysh = (commands: string[]) => runOk('vtysh', ['--vty_socket', vtyDir, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])], { timeoutMs: 5000 });
  const d = await startRestartable({
    name: `bgpd ${o.name}`, ns: o.ns, cmd: '/usr/lib/frr/bgpd',
    args: ['-f', configPath, '-i', join(vtyDir, 'bgpd.pid'), '--vty_socket', vtyDir, '-Z', '-S', '-P', '0', '--log', 'stdout'],
    readyWhat: `vty in ${vtyDir}`,
    ready: async () => (await run('vtysh', ['--vty_socket', vtyDir, '-d', 'bgpd', '-c', 'show version'], { timeoutMs: 2000 })).code === 0,
  });
  return {
    vtyDir, vtysh,
    ...d,
  };
}
