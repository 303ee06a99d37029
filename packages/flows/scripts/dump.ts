// Prints every record our decoder reads from captures of flow datagrams, then the exporter
// status (non-zero decode errors only): for looking at a fixture or a capture from the field.
//   node scripts/dump.ts FILE.pcap [FILE.pcap…]   (one decoder across the files, like one collector)
import { readFileSync } from 'node:fs';
import { createFlowDecoder, flowDatagramsFromBuffer } from '@breakwater/flows';
const d = createFlowDecoder({ clock: { now: () => 0 }, onInternalError: (e) => { throw e; } });
for (const f of process.argv.slice(2)) {
  for (const g of flowDatagramsFromBuffer(readFileSync(f))) {
    for (const r of d.decode(g.payload, g.from, g.receivedAtMs)) console.log(r.protocol, r.srcAddr, r.srcPort, '>', r.dstAddr, r.dstPort, 'p', r.ipProtocol, 'f', r.tcpFlags, r.packetsRaw, r.bytesRaw, 'x', r.samplingRate, r.packets, 'vlan', r.vlan, 'ttl', r.ttl, 'frag', r.fragment, r.startMs, r.endMs);
  }
}
console.log(JSON.stringify(d.exporters().map((e) => ({ ...e, templateList: e.templateList.length, decodeErrors: Object.fromEntries(Object.entries(e.decodeErrors).filter(([, v]) => v > 0)) }))));
