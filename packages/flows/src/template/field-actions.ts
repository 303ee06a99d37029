// Information elements the decoder reads (IANA IPFIX registry; NetFlow v9 shares ids 1–127),
// as small action codes for the data-record loop. Anything else is skipped by its length.

export const Act = {
  skip: 0,
  bytes: 1,
  packets: 2,
  protocol: 3,
  tos: 4,
  tcpFlags: 5,
  srcPort: 6,
  dstPort: 7,
  src4: 8,
  dst4: 9,
  src6: 10,
  dst6: 11,
  inputIf: 12,
  outputIf: 13,
  /** Milliseconds of system uptime: NetFlow v9 FIRST/LAST_SWITCHED, IPFIX flowStart/EndSysUpTime. */
  startUptime: 14,
  endUptime: 15,
  startSec: 16,
  endSec: 17,
  startMs: 18,
  endMs: 19,
  vlan: 20,
  ttl: 21,
  samplingInterval: 22,
  samplingAlgorithm: 23,
  samplerId: 24,
  fragmentFlags: 25,
  fragmentOffset: 26,
  icmpTypeCode: 27,
  /** NTP-format timestamps (flowStart/EndMicroseconds, …Nanoseconds). */
  startNtp: 28,
  endNtp: 29,
  systemInitMs: 30,
  samplingSpace: 31,
  samplingSize: 32,
  samplingPopulation: 33,
  startDeltaUs: 34,
  endDeltaUs: 35,
  bytesTotal: 36,
  packetsTotal: 37,
  minTtl: 38,
  samplerRandomInterval: 39,
} as const;

const BY_ID: Record<number, number> = {
  1: Act.bytes,
  2: Act.packets,
  4: Act.protocol,
  5: Act.tos,
  6: Act.tcpFlags,
  7: Act.srcPort,
  8: Act.src4,
  10: Act.inputIf,
  11: Act.dstPort,
  12: Act.dst4,
  14: Act.outputIf,
  21: Act.endUptime,
  22: Act.startUptime,
  27: Act.src6,
  28: Act.dst6,
  32: Act.icmpTypeCode,
  34: Act.samplingInterval,
  35: Act.samplingAlgorithm,
  48: Act.samplerId,
  49: Act.samplingAlgorithm,
  50: Act.samplerRandomInterval,
  52: Act.minTtl,
  58: Act.vlan,
  85: Act.bytesTotal,
  86: Act.packetsTotal,
  88: Act.fragmentOffset,
  139: Act.icmpTypeCode,
  150: Act.startSec,
  151: Act.endSec,
  152: Act.startMs,
  153: Act.endMs,
  154: Act.startNtp,
  155: Act.endNtp,
  156: Act.startNtp,
  157: Act.endNtp,
  158: Act.startDeltaUs,
  159: Act.endDeltaUs,
  160: Act.systemInitMs,
  192: Act.ttl,
  197: Act.fragmentFlags,
  302: Act.samplerId,
  304: Act.samplingAlgorithm,
  305: Act.samplingInterval,
  306: Act.samplingSpace,
  309: Act.samplingSize,
  310: Act.samplingPopulation,
};

/** The action for a field, or skip when its length does not fit what the element holds. */
export function fieldAction(id: number, length: number): number {
  const act = BY_ID[id] ?? Act.skip;
  switch (act) {
    case Act.skip:
      return Act.skip;
    case Act.src4:
    case Act.dst4:
      return length === 4 ? act : Act.skip;
    case Act.src6:
    case Act.dst6:
      return length === 16 ? act : Act.skip;
    case Act.startNtp:
    case Act.endNtp:
      return length === 8 ? act : Act.skip;
    default:
      return length >= 1 && length <= 8 ? act : Act.skip;
  }
}
