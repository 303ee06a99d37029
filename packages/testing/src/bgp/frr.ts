// FRR's bgpd alone in a namespace (no zebra: -Z, nothing goes to the kernel), with its config,
// pid file and vty socket in a directory of the run, so vtysh --vty_socket reaches it from the
// root namespace and nothing touches /etc/frr or /var/run/frr.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from './daemon.ts';
import { run, runOk } from './exec.ts';
import { waitFor } from '../wait.ts';

export interface BgpdInstance {
  /** The directory holding bgpd.vty: the frr adapter's endpoint. */
  vtyDir: string;
  vtysh: (commands: string[]) => Promise<string>;
  daemon: () => Daemon;
  stop: () => Promise<void>;
  restart: () => Promise<void>;
}

export async function startBgpd(o: { ns: string; dir: string; name: string; config: string }): Promise<BgpdInstance> {
  const vtyDir = join(o.dir, `frr-${o.name}`);
  mkdirSync(vtyDir, { recursive: true });
  const configPath = join(vtyDir, 'bgpd.conf');
  writeFileSync(configPath, o.config);
  const vtysh = (commands: string[]) => runOk('vtysh', ['--vty_socket', vtyDir, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])], { timeoutMs: 5000 });
  let d: Daemon;
  const launch = async () => {
    d = startDaemon(`bgpd ${o.name}`, o.ns, '/usr/lib/frr/bgpd', ['-f', configPath, '-i', join(vtyDir, 'bgpd.pid'), '--vty_socket', vtyDir, '-Z', '-S', '-P', '0', '--log', 'stdout']);
    try {
      await waitFor(`bgpd ${o.name} vty in ${vtyDir}`, async () => {
        if (d.exited()) throw new Error(`bgpd exited: ${d.output()}`);
        return (await run('vtysh', ['--vty_socket', vtyDir, '-d', 'bgpd', '-c', 'show version'], { timeoutMs: 2000 })).code === 0;
      }, 10_000, 50);
    } catch (err) {
      // Never leave a half-started daemon behind a failed start.
      await d.stop('SIGKILL');
      throw err;
    }
  };
  await launch();
  return {
    vtyDir, vtysh,
    daemon: () => d,
    stop: async () => { await d.stop(); },
    restart: async () => { await d.stop('SIGKILL'); await launch(); },
  };
}
