// The fixture captures beside each protocol folder, read into datagrams and decoded.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FlowExporterStatus, FlowRecord } from '@breakwater/contracts';
import { createFlowDecoder, type FlowDecoder, type FlowDecoderConfig } from '../flow-decoder.ts';
import { flowDatagramsFromBuffer, type FlowDatagram } from '../capture/flow-datagrams.ts';

export type FixtureFolder = 'netflow-v5' | 'netflow-v9' | 'ipfix' | 'sflow-v5';

export function fixturePath(folder: FixtureFolder, name: string): string {
  return fileURLToPath(new URL(`../${folder}/fixtures/${name}`, import.meta.url));
}

export function fixtureDatagrams(folder: FixtureFolder, name: string): FlowDatagram[] {
  return [...flowDatagramsFromBuffer(readFileSync(fixturePath(folder, name)))];
}

/** A decoder whose internal errors fail the test that uses it. */
export function strictDecoder(config: Partial<FlowDecoderConfig> = {}): FlowDecoder {
  return createFlowDecoder({
    clock: { now: () => 0 },
    ...config,
    onInternalError: (err) => {
      throw err instanceof Error ? err : new Error(String(err));
    },
  });
}

export function decodeAll(decoder: FlowDecoder, datagrams: readonly FlowDatagram[]): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (const d of datagrams) out.push(...decoder.decode(d.payload, d.from, d.receivedAtMs));
  return out;
}

export function decodeFixture(folder: FixtureFolder, name: string, config: Partial<FlowDecoderConfig> = {}): { records: FlowRecord[]; status: FlowExporterStatus; decoder: FlowDecoder } {
  const decoder = strictDecoder(config);
  const records = decodeAll(decoder, fixtureDatagrams(folder, name));
  const status = decoder.exporters()[0];
  if (status === undefined) throw new Error(`no exporter in ${name}`);
  return { records, status, decoder };
}

/** Errors with a non-zero count only, for readable assertions. */
export function nonZeroErrors(s: FlowExporterStatus): Record<string, number> {
  return Object.fromEntries(Object.entries(s.decodeErrors).filter(([, n]) => n > 0));
}
