// decodeEach (one record object refilled) against decode() (new objects per record), same datagrams.
//   node bench/flows/api-forms.ts   (after run.ts has recorded the datagrams)
import { readFileSync } from 'node:fs';
import { createFlowDecoder, flowDatagramsFromBuffer } from '@breakwater/flows';
for (const p of ['netflow-v9', 'ipfix', 'sflow-v5']) {
  const ds = [...flowDatagramsFromBuffer(readFileSync(`/tmp/breakwater-bench-flows-v1-100000/${p}.pcap`))];
  const res: Record<string, number[]> = { each: [], arrays: [] };
  for (let run = 0; run < 5; run++) {
    for (const mode of ['each', 'arrays'] as const) {
      const d = createFlowDecoder({ clock: { now: () => 0 } });
      let n = 0;
      let sink = 0;
      const c0 = process.cpuUsage();
      for (let k = 0; k < 5; k++) for (const g of ds) {
        if (mode === 'each') n += d.decodeEach(g.payload, g.from, g.receivedAtMs, (r) => { sink += r.packets; });
        else { const rs = d.decode(g.payload, g.from, g.receivedAtMs); n += rs.length; for (const r of rs) sink += r.packets; }
      }
      const c = process.cpuUsage(c0);
      res[mode]!.push(n / ((c.user + c.system) / 1e6));
      if (sink < 0) console.log(sink);
    }
  }
  const med = (a: number[]) => a.sort((x, y) => x - y)[2]! / 1e6;
  console.log(p, 'decodeEach', med(res.each!).toFixed(2), 'M/s; decode() arrays', med(res.arrays!).toFixed(2), 'M/s');
}
