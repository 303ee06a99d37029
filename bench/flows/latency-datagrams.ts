// The datagrams the latency bench replays: an sFlow v5 flood sampled 1 in 1000 (raw packet
// headers, as routers send) and a NetFlow v9 flood exported with a 1 s active timeout.
import { IE, dataRecord, dataSet, sflowDatagram, sflowFlowSample, sflowRawHeader, v9Packet, v9TemplateSet, type FieldSpec } from '@breakwater/flows/testing';
import { ethernet, ipv4, udp } from '@breakwater/packets/testing';

export const EXPORTER = '127.0.0.1';
const ATTACKER = '198.51.100.66';

/** One sFlow datagram of `samples` flow samples (1 in `rate`) of UDP packets toward `victim`. */
export function sflowFlood(victim: string, samples: number, rate: number, sequence: number, uptimeMs: number): Uint8Array {
  const frame = ethernet(0x0800, ipv4({ src: ATTACKER, dst: victim, protocol: 17, payload: udp(40000 + (sequence % 1000), 7777, new Uint8Array(64)) }));
  const list = Array.from({ length: samples }, (_, i) => sflowFlowSample({ rate, sequence: sequence * samples + i, pool: (sequence * samples + i) * rate, records: [sflowRawHeader(1, frame.subarray(0, 128), frame.length + 4)] }));
  return sflowDatagram({ agent: EXPORTER, sequence, uptimeMs, samples: list });
}

const V9_FIELDS: FieldSpec[] = [
  { id: IE.sourceIPv4Address, length: 4 }, { id: IE.destinationIPv4Address, length: 4 }, { id: IE.sourceTransportPort, length: 2 },
  { id: IE.destinationTransportPort, length: 2 }, { id: IE.protocolIdentifier, length: 1 }, { id: IE.tcpControlBits, length: 1 },
  { id: IE.packetDeltaCount, length: 4 }, { id: IE.octetDeltaCount, length: 4 }, { id: IE.flowStartSysUpTime, length: 4 }, { id: IE.flowEndSysUpTime, length: 4 },
];
const TEMPLATE_ID = 260;

/** A NetFlow v9 export: the template and one record per flow covering (startUptime, endUptime]. */
export function v9Flood(victim: string, packets: number, startUptime: number, endUptime: number, exportSec: number, sequence: number): Uint8Array {
  const records = Array.from({ length: 4 }, (_, i) => dataRecord(V9_FIELDS, [ATTACKER, victim, 40000 + i, 7777, 17, 0, Math.round(packets / 4), Math.round(packets / 4) * 92, startUptime, endUptime]));
  return v9Packet({ sourceId: 7, exportSec, uptimeMs: endUptime, sequence, sets: [v9TemplateSet([{ id: TEMPLATE_ID, fields: V9_FIELDS }]), dataSet(TEMPLATE_ID, records)] });
}
