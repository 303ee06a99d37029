// Real flow exporters for tests and benches: softflowd (NetFlow v5/v9, IPFIX) live on an
// interface, made to export on a quiet link by an LD_PRELOAD shim that turns on libpcap's
// immediate mode (softflowd never does, TESTBED.md), and pmacctd with nfprobe/sfprobe.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Declared here rather than from <pcap/pcap.h>: libpcap-dev need not be installed, and the
// symbol resolves against the libpcap the exporter already loads.
const SHIM_C = `#define _GNU_SOURCE
#include <dlfcn.h>
typedef struct pcap pcap_t;
int pcap_set_immediate_mode(pcap_t *p, int on);
int pcap_activate(pcap_t *p) {
  static int (*real)(pcap_t *) = 0;
  if (!real) real = (int (*)(pcap_t *))dlsym(RTLD_NEXT, "pcap_activate");
  pcap_set_immediate_mode(p, 1);
  return real(p);
}
`;

/** Builds the immediate-mode shim into `dir` (once) and returns its path. */
export function buildImmediateShim(dir: string): string {
  const so = join(dir, 'pcap-immediate.so');
  if (existsSync(so)) return so;
  const src = join(dir, 'pcap-immediate.c');
  writeFileSync(src, SHIM_C);
  const r = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-o', so, src, '-ldl'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the libpcap immediate-mode shim: ${r.stderr}`);
  return so;
}

export interface Exporter {
  proc: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

function run(argv: string[], env: Record<string, string> = {}): Exporter {
  const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let log = '';
  proc.stdout.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
  proc.stderr.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
  return {
    proc,
    log: () => log,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

/** softflowd live on `iface` inside `ns`, exporting NetFlow `version` (5, 9, 10 = IPFIX) to `target` with 1 s timeouts. */
export function startSoftflowd(dir: string, ns: string, iface: string, version: 5 | 9 | 10, target: string): Exporter {
  const shim = buildImmediateShim(dir);
  const tag = `${version}-${Math.random().toString(36).slice(2, 8)}`;
  return run(['ip', 'netns', 'exec', ns, 'softflowd', '-d', '-i', iface, '-v', String(version), '-n', target,
    '-t', 'maxlife=1', '-t', 'general=1', '-t', 'udp=1', '-t', 'tcp=1', '-t', 'icmp=1', '-t', 'expint=1',
    '-p', join(dir, `softflowd-${tag}.pid`), '-c', join(dir, `softflowd-${tag}.ctl`)], { LD_PRELOAD: shim });
}

/** pmacctd on `iface` inside `ns` with one probe plugin: nfprobe (NetFlow v9, 1 s timeouts) or sfprobe (sFlow v5). */
export function startPmacctd(dir: string, ns: string, iface: string, probe: 'nfprobe' | 'sfprobe', target: string, samplingRate = 1): Exporter {
  const conf = join(dir, `pmacctd-${probe}.conf`);
  const lines = [
    'daemonize: false', `pcap_interface: ${iface}`, 'pcap_interface_wait: true', `plugins: ${probe}[p]`,
    ...(probe === 'nfprobe'
      ? [`nfprobe_receiver[p]: ${target}`, 'nfprobe_version[p]: 9', 'nfprobe_timeouts[p]: tcp=1:tcp.rst=1:tcp.fin=1:udp=1:icmp=1:general=1:maxlife=1:expint=1']
      : [`sfprobe_receiver[p]: ${target}`, 'sfprobe_agentip[p]: 127.0.0.1']),
    ...(samplingRate > 1 ? [`sampling_rate: ${samplingRate}`] : []),
    'plugin_buffer_size: 10240', 'plugin_pipe_size: 10240000',
  ];
  writeFileSync(conf, lines.join('\n') + '\n');
  return run(['ip', 'netns', 'exec', ns, 'pmacctd', '-f', conf], { LD_PRELOAD: buildImmediateShim(dir) });
}
