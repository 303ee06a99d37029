// The decoder's view of an exporter, plus what reception knows (drops, allowed), as the wire's
// FlowExporter.
import type { FlowExporter, FlowExporterStatus } from '@breakwater/contracts';

export interface ReceiveCounters {
  socket: number;
  queue: number;
  notAllowed: number;
  allowed: boolean;
}

export function exporterReport(s: FlowExporterStatus, rx: ReceiveCounters): FlowExporter {
  return {
    exporter: s.exporter,
    protocols: s.protocols,
    last_datagram_at: s.lastDatagramMs > 0 ? new Date(s.lastDatagramMs).toISOString() : null,
    datagrams: s.datagrams,
    records: s.records,
    templates: s.templates,
    template_list: s.templateList.slice(0, 1024).map((t) => ({
      protocol: t.protocol, domain: t.domain, template_id: t.templateId, options: t.options, field_count: t.fieldCount, record_length: t.recordLength,
    })),
    sampling_rate: Math.max(1, Math.round(s.samplingRate)),
    sampling_source: s.samplingSource,
    sampling_override: s.samplingOverride,
    decode_errors: s.decodeErrors,
    drops: { socket: rx.socket, queue: rx.queue, not_allowed: rx.notAllowed },
    allowed: rx.allowed,
    sampling_algorithm: s.samplingAlgorithm,
    templates_redefined: s.templateRedefinitions,
    templates_withdrawn: s.templatesWithdrawn,
    templates_expired: s.templatesExpired,
    pending_sets: s.pendingSets,
    interfaces: s.interfaces.slice(0, 64).map((i) => ({ ...i })),
  };
}

/** A refused exporter never reaches the decoder: its status is reception's only. */
export function refusedExporterReport(address: string, notAllowed: number, lastAt: number): FlowExporter {
  return {
    exporter: address, protocols: [], last_datagram_at: new Date(lastAt).toISOString(), datagrams: 0, records: 0, templates: 0, template_list: [],
    sampling_rate: 1, sampling_source: 'none', sampling_override: null, decode_errors: {},
    drops: { socket: 0, queue: 0, not_allowed: notAllowed }, allowed: false,
  };
}
