// bench/agent-footprint: the agent's memory and CPU as a small VPS would feel them. The real
// `breakwater agent run` (with its tcpdump child) in a victim namespace, enrolled at a real server:
// RSS idle, CPU of the agent and tcpdump at a steady 10 kpps, RSS after each of N floods (each
// opens an incident that resolves and uploads its capture), peak RSS, and tcpdump's counters read
// through the agent (every filtered packet captured, dropped by the kernel or still in flight).
//
//   node bench/agent-footprint/run.ts [--floods 50] [--threshold 20000] [--flood-pps 30000] [--untuned]
// --untuned runs the agent without its process tuning (agent-launcher.ts AGENT_NODE_FLAGS and malloc
// tunables), for a before/after on the same machine.
// Needs root, iproute2, tcpreplay, tcpdump, nftables. Targets (issue 19): < 60 MB RSS idle,
// < 80 MB during a flood, RSS after the last flood within 5 MB of after the first, < 3% of a core
// at 10 kpps with tcpdump included.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { waitFor, withNamespaces } from '@breakwater/testing';
import { startStack } from '@breakwater/agent/testing';
import { childNamed, cpuShare, rssBreakdown, rssMb } from '../detect-latency/proc-stats.ts';
import { steadyFlood } from '../detect-latency/steady-flood.ts';

const { values } = parseArgs({
  options: {
    floods: { type: 'string', default: '50' },
    threshold: { type: 'string', default: '20000' },
    'flood-pps': { type: 'string', default: '30000' },
    untuned: { type: 'boolean', default: false },
  },
});
const FLOODS = Number(values.floods);
const THRESHOLD = Number(values.threshold);
const FLOOD_PPS = Number(values['flood-pps']);
if (!Number.isInteger(FLOODS) || FLOODS < 0) throw new Error('--floods: an integer >= 0');
if (!Number.isInteger(THRESHOLD) || THRESHOLD < 100) throw new Error('--threshold: packets per second, >= 100');
if (!Number.isInteger(FLOOD_PPS) || FLOOD_PPS <= THRESHOLD) throw new Error('--flood-pps: an integer above --threshold');

const mb = (x: number) => `${x.toFixed(1)} MB`;
const pc = (x: number) => `${(x * 100).toFixed(1)}%`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), 'bw-footprint-'));
try {
  await withNamespaces(async (n) => {
    const stack = await startStack(n, dir, { thresholds: { pps: THRESHOLD }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1000 } }, {
      agentEnv: values.untuned ? { BREAKWATER_AGENT_TUNED: '1' } : {},
    });
    console.log(`agent ${values.untuned ? 'untuned (BREAKWATER_AGENT_TUNED=1)' : 'tuned'}; cmdline: ${readFileSync(`/proc/${stack.agentPid}/cmdline`, 'utf8').split('\0').join(' ').trim()}`);
    const pid = stack.agentPid;
    try {
      const tcpdump = await waitFor('tcpdump child', () => childNamed(pid, 'tcpdump') ?? undefined, 10_000);
      // Idle: after start-up settles (the first config fetch, heartbeat and host report are done).
      await sleep(10_000);
      const idleCpu = await cpuShare([pid, tcpdump], () => sleep(10_000));
      const idle = rssMb(pid);
      console.log(`idle: RSS ${mb(idle.rss)} (peak so far ${mb(idle.peak)}), CPU agent ${pc(idleCpu.shares[0]!)}, tcpdump ${pc(idleCpu.shares[1]!)} of a core`);
      console.log(`idle RSS by mapping (MB): ${JSON.stringify(rssBreakdown(pid))}`);

      // Steady 10 kpps below the threshold: what the agent costs while traffic is heavy but normal.
      const steady = await cpuShare([pid, tcpdump], () => steadyFlood(n, dir, 10_000, 15));
      const s = rssMb(pid);
      const both = steady.shares[0]! + steady.shares[1]!;
      console.log(`10 kpps for ${steady.seconds.toFixed(1)} s: agent ${pc(steady.shares[0]!)} + tcpdump ${pc(steady.shares[1]!)} = ${pc(both)} of a core (target < 3%); RSS ${mb(s.rss)}`);
      console.log(`10 kpps RSS by mapping (MB): ${JSON.stringify(rssBreakdown(pid))}`);

      const after: number[] = [];
      const incidents = () => stack.get(`/api/v1/incidents?node=${stack.nodeUuid}&limit=100`).data as { uuid: string; status: string }[];
      for (let i = 0; i < FLOODS; i++) {
        const seen = new Set(incidents().map((x) => x.uuid));
        steadyFlood(n, dir, FLOOD_PPS, 1.5);
        const inc = await waitFor(`flood ${i + 1}: incident`, () => incidents().find((x) => !seen.has(x.uuid)), 20_000, 250);
        await waitFor(`flood ${i + 1}: resolved`, () => incidents().every((x) => x.status !== 'active'), 30_000, 250);
        await waitFor(`flood ${i + 1}: capture uploaded`, () => (stack.get(`/api/v1/incidents/${inc.uuid}`).data.pcaps?.length ?? 0) > 0, 30_000, 250);
        after.push(rssMb(pid).rss);
        if (i === 0 || (i + 1) % 10 === 0) console.log(`after flood ${i + 1}: RSS ${mb(after.at(-1)!)}`);
      }
      const end = rssMb(pid);
      if (FLOODS > 0) {
        const growth = after.at(-1)! - after[0]!;
        console.log(`${FLOODS} floods of ${FLOOD_PPS} pps × 1.5 s (threshold ${THRESHOLD}): RSS after the first ${mb(after[0]!)}, after the last ${mb(after.at(-1)!)} (growth ${mb(growth)}, target ≤ 5 MB), max after any ${mb(Math.max(...after))}`);
      }
      console.log(`peak RSS over the whole run (VmHWM, includes every flood): ${mb(end.peak)} (target < 80 MB)`);
      const stats = /capture stats: .*/.exec(stack.agentLog());
      await stack.stopAll();
      const final = [...stack.agentLog().matchAll(/capture stats: .*/g)].at(-1)?.[0] ?? stats?.[0] ?? 'capture stats: not reported';
      console.log(`tcpdump over the whole run — ${final.replace('capture stats: ', '')}`);
    } finally {
      await stack.stopAll();
    }
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
