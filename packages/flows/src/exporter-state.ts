// Everything the decoder remembers about one exporter: counters, templates, held data sets,
// sampling parameters from options data, and sFlow interface counters. All of it is bounded
// by FlowDecoderLimits.
import type {
  FlowDecodeError,
  FlowDecoderLimits,
  FlowExporterStatus,
  FlowInterfaceCounters,
  FlowProtocol,
  FlowSamplingSource,
} from '@breakwater/contracts';
import type { Template } from './template/template.ts';

/** Sampling and time base an exporter announced for one (protocol, domain) in options data. */
export class DomainInfo {
  /** Rate per sampler id (0 when the options record named none). */
  readonly rates = new Map<number, number>();
  /** The latest rate announced, used for records that name no sampler. */
  rate = 0;
  algorithm: string | null = null;
  /** IPFIX systemInitTimeMilliseconds: the base of flowStart/EndSysUpTime; -1 when unknown. */
  systemInitMs = -1;
}

export interface PendingSet {
  key: number;
  protocol: 'netflow_v9' | 'ipfix';
  domain: number;
  templateId: number;
  bytes: Uint8Array;
  exportSec: number;
  uptimeMs: number;
  receivedAtMs: number;
}

export function zeroErrors(): Record<FlowDecodeError, number> {
  return {
    truncated: 0,
    unknown_version: 0,
    bad_header: 0,
    bad_set: 0,
    bad_template: 0,
    template_length_mismatch: 0,
    unknown_template: 0,
    pending_overflow: 0,
    template_cache_full: 0,
    exporter_limit: 0,
    bad_sample: 0,
    bad_packet_header: 0,
  };
}

export class ExporterState {
  readonly address: string;
  readonly protocols: FlowProtocol[] = [];
  firstSeenMs: number;
  lastDatagramMs: number;
  datagrams = 0;
  records = 0;
  readonly errors = zeroErrors();
  readonly templates = new Map<number, Template>();
  templateRedefinitions = 0;
  templatesWithdrawn = 0;
  templatesExpired = 0;
  samplingRate = 1;
  samplingSource: FlowSamplingSource = 'none';
  samplingAlgorithm: string | null = null;
  override: number | null = null;
  /** Keyed by domainKey(protocol, domain). */
  readonly domains = new Map<number, DomainInfo>();
  readonly pending: PendingSet[] = [];
  pendingBytes = 0;
  readonly interfaces = new Map<number, FlowInterfaceCounters>();

  constructor(address: string, nowMs: number) {
    this.address = address;
    this.firstSeenMs = nowMs;
    this.lastDatagramMs = nowMs;
  }

  sawProtocol(p: FlowProtocol): void {
    if (this.protocols[this.protocols.length - 1] !== p && !this.protocols.includes(p)) this.protocols.push(p);
  }

  domain(protocol: 'netflow_v9' | 'ipfix', domain: number, create: boolean, cap: number): DomainInfo | undefined {
    const key = domainKey(protocol, domain);
    let info = this.domains.get(key);
    if (info === undefined && create) {
      // Templates come and go (withdrawn, expired) while domains stay: evict the oldest past the cap.
      if (this.domains.size >= cap) this.domains.delete(this.domains.keys().next().value!);
      info = new DomainInfo();
      this.domains.set(key, info);
    }
    return info;
  }

  /** Forgets templates not refreshed within the timeout; returns how many went. */
  expireTemplates(nowMs: number, limits: FlowDecoderLimits): number {
    let n = 0;
    for (const [key, t] of this.templates) {
      if (nowMs - t.refreshedAtMs > limits.templateTimeoutMs) {
        this.templates.delete(key);
        n++;
      }
    }
    this.templatesExpired += n;
    return n;
  }

  status(): FlowExporterStatus {
    const templateList = [...this.templates.values()].map((t) => t.status());
    return {
      exporter: this.address,
      protocols: [...this.protocols],
      firstSeenMs: this.firstSeenMs,
      lastDatagramMs: this.lastDatagramMs,
      datagrams: this.datagrams,
      records: this.records,
      templates: templateList.length,
      templateList,
      templateRedefinitions: this.templateRedefinitions,
      templatesWithdrawn: this.templatesWithdrawn,
      templatesExpired: this.templatesExpired,
      decodeErrors: { ...this.errors },
      samplingRate: this.override ?? this.samplingRate,
      samplingSource: this.override !== null ? 'override' : this.samplingSource,
      samplingAlgorithm: this.samplingAlgorithm,
      samplingOverride: this.override,
      pendingSets: this.pending.length,
      pendingBytes: this.pendingBytes,
      interfaces: [...this.interfaces.values()].map((c) => ({ ...c })),
    };
  }
}

export function domainKey(protocol: 'netflow_v9' | 'ipfix', domain: number): number {
  return (protocol === 'ipfix' ? 4294967296 : 0) + domain;
}
