// Robustness properties for the fuzz tests: untrusted datagrams never make a decoder throw,
// take long, or grow its state past the limits. Each check throws only on a violation.
import type { FlowDecoderLimits, FlowProtocol } from '@breakwater/contracts';
import { TcpFlag } from '@breakwater/packets';
import { concat, ethernet, ipv4, tcp, u32 } from '@breakwater/packets/testing';
import { createFlowDecoder, type FlowDecoder } from '../flow-decoder.ts';
import { fixtureDatagrams, type FixtureFolder } from './fixtures.ts';
import { IE, V4_FLOW_FIELDS, dataRecord, dataSet, ipfixMessage, ipfixOptionsTemplateSet, ipfixTemplateSet, ipfixWithdrawal, v4Flow, v9OptionsTemplateSet, v9Packet, v9TemplateSet } from './netflow-builder.ts';
import { sflowCounterSample, sflowDatagram, sflowExtendedSwitch, sflowFlowSample, sflowGenericInterface, sflowRawHeader, sflowSampledIpv6 } from './sflow-builder.ts';

export const FUZZ_LIMITS: FlowDecoderLimits = {
  maxExporters: 4,
  maxTemplatesPerExporter: 8,
  templateTimeoutMs: 60_000,
  maxPendingSets: 4,
  maxPendingBytes: 4096,
  pendingHoldMs: 1000,
  maxInterfaces: 4,
};

/** No single datagram may take longer than this. Generous: a GC pause or a busy shared core takes tens of ms; a hang takes forever. */
export const MAX_DECODE_MS = 500;

export const FOLDERS: Record<FlowProtocol, FixtureFolder> = {
  netflow_v5: 'netflow-v5',
  netflow_v9: 'netflow-v9',
  ipfix: 'ipfix',
  sflow_v5: 'sflow-v5',
};

const FIXTURES: Record<FlowProtocol, string[]> = {
  netflow_v5: ['softflowd-v5.pcap'],
  netflow_v9: ['softflowd-v9.pcap', 'softflowd-v9-sampled.pcap', 'pmacctd-nfprobe-v9.pcap'],
  ipfix: ['softflowd-ipfix.pcap', 'softflowd-ipfix-sampled.pcap', 'pmacctd-nfprobe-ipfix.pcap'],
  sflow_v5: ['pmacctd-sfprobe.pcap', 'pmacctd-sfprobe-sampled.pcap', 'pmacctd-sfprobe-v6agent-malformed.pcap'],
};

/** Real datagrams from the fixtures plus built ones that reach the paths the exporters do not. */
export function seedDatagrams(protocol: FlowProtocol): Uint8Array[] {
  const seeds = FIXTURES[protocol].flatMap((f) => fixtureDatagrams(FOLDERS[protocol], f).map((d) => d.payload));
  const flow = v4Flow('203.0.113.7', '198.51.100.5', 1234, 80, 6, 2, 10, 400);
  const varFields = [{ id: IE.sourceIPv4Address, length: 4 }, { id: IE.applicationName, length: 65535 }, { id: 5, length: 4, enterprise: 9 }, { id: IE.packetDeltaCount, length: 8 }];
  const opt = [{ id: 149, length: 4 }, { id: IE.samplingPacketInterval, length: 4 }, { id: IE.samplingPacketSpace, length: 4 }];
  if (protocol === 'ipfix') {
    seeds.push(
      ipfixMessage({
        domain: 1,
        exportSec: 1,
        sets: [
          ipfixTemplateSet([{ id: 256, fields: V4_FLOW_FIELDS }, { id: 257, fields: varFields }]),
          ipfixOptionsTemplateSet([{ id: 258, scopeCount: 1, fields: opt }]),
          dataSet(258, [dataRecord(opt, [1, 1, 99])]),
          dataSet(256, [flow, flow]),
          dataSet(257, [dataRecord(varFields, ['1.2.3.4', new Uint8Array(300), 7, 9])]),
          ipfixWithdrawal([256]),
        ],
      }),
    );
  }
  if (protocol === 'netflow_v9') {
    seeds.push(
      v9Packet({
        sourceId: 1,
        exportSec: 1,
        uptimeMs: 5,
        sets: [
          dataSet(256, [flow]),
          v9TemplateSet([{ id: 256, fields: V4_FLOW_FIELDS }]),
          v9OptionsTemplateSet([{ id: 257, scopeCount: 1, fields: [{ id: 1, length: 4 }, { id: 34, length: 4 }, { id: 35, length: 1 }] }]),
          dataSet(257, [dataRecord([{ id: 1, length: 4 }, { id: 34, length: 4 }, { id: 35, length: 1 }], [0, 100, 1])]),
        ],
      }),
    );
  }
  if (protocol === 'sflow_v5') {
    const syn = ethernet(0x0800, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6, payload: tcp({ srcPort: 1, dstPort: 2, flags: TcpFlag.syn }) }), [{ tpid: 0x8100, vid: 5 }]);
    const mpls = concat(u32((16 << 12) | 0x100 | 64), ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 17, payload: new Uint8Array(8) }));
    seeds.push(
      sflowDatagram({
        agent: '2001:db8::1',
        samples: [
          sflowFlowSample({ expanded: true, rate: 100, records: [sflowExtendedSwitch(4), sflowRawHeader(1, syn)] }),
          sflowFlowSample({ rate: 7, records: [sflowRawHeader(13, mpls), sflowSampledIpv6({ length: 60, protocol: 17, src: '2001:db8::1', dst: '2001:db8::2', srcPort: 1, dstPort: 2 })] }),
          sflowCounterSample({ expanded: true, records: [sflowGenericInterface({ ifIndex: 3 })] }),
        ],
      }),
    );
  }
  return seeds;
}

/** The first bytes that make a datagram claim the protocol, so random tails reach its decoder. */
export const VERSION_PREFIX: Record<FlowProtocol, Uint8Array> = {
  netflow_v5: Uint8Array.of(0, 5),
  netflow_v9: Uint8Array.of(0, 9),
  ipfix: Uint8Array.of(0, 10),
  sflow_v5: Uint8Array.of(0, 0, 0, 5, 0, 0, 0, 1),
};

export function fuzzDecoder(): FlowDecoder {
  return createFlowDecoder({
    clock: { now: () => 0 },
    limits: FUZZ_LIMITS,
    onInternalError: (err) => {
      throw err instanceof Error ? err : new Error(String(err));
    },
  });
}

/** Feeds `datagrams` to one decoder (state carries over) and checks every bound after each. */
export function checkDatagrams(decoder: FlowDecoder, datagrams: readonly Uint8Array[], from = { address: '192.0.2.1', port: 9 }, startMs = 1_000_000): void {
  let t = startMs;
  for (const d of datagrams) {
    const before = decoder.exporter(from.address);
    const t0 = performance.now();
    const n = decoder.decodeEach(d, from, t, (r) => {
      if (!(r.packets >= 0 && r.bytes >= 0 && r.samplingRate >= 1)) throw new Error(`bad counts ${JSON.stringify(r)}`);
    });
    const took = performance.now() - t0;
    if (took > MAX_DECODE_MS) throw new Error(`decode took ${took.toFixed(1)} ms for ${d.length} bytes`);
    // A record consumes bytes: of this datagram, or of data sets held earlier.
    if (n > d.length + (before?.pendingBytes ?? 0)) throw new Error(`${n} records from ${d.length} bytes`);
    const st = decoder.exporter(from.address);
    if (st !== null) {
      if (st.templates > FUZZ_LIMITS.maxTemplatesPerExporter) throw new Error(`templates ${st.templates}`);
      if (st.pendingSets > FUZZ_LIMITS.maxPendingSets || st.pendingBytes > FUZZ_LIMITS.maxPendingBytes) throw new Error(`pending ${st.pendingSets}/${st.pendingBytes}`);
      if (st.interfaces.length > FUZZ_LIMITS.maxInterfaces) throw new Error(`interfaces ${st.interfaces.length}`);
    }
    t += 137;
  }
}
