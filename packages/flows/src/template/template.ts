// A NetFlow v9 / IPFIX template compiled for decoding: each field's information element mapped
// to what the decoder does with it, so a data record is read with one switch per field.
import type { FlowTemplateStatus } from '@breakwater/contracts';
import { fieldAction } from './field-actions.ts';

/** IPFIX variable-length marker (RFC 7011 §7). */
export const VARIABLE_LENGTH = 65535;

export class Template {
  readonly protocol: 'netflow_v9' | 'ipfix';
  readonly domain: number;
  readonly id: number;
  readonly options: boolean;
  /** Scope fields come first in options templates. */
  readonly scopeCount: number;
  /** Per field: element id (enterprise fields: -1), length (65535 = variable), action. */
  readonly ids: Int32Array;
  readonly lengths: Int32Array;
  readonly actions: Uint8Array;
  /** Bytes per record, or -1 when a field is variable-length. */
  readonly recordLength: number;
  /** Enterprise numbers of enterprise-specific fields (0 for IANA ones), kept for comparison. */
  readonly enterprises: Float64Array;
  learnedAtMs: number;
  refreshedAtMs: number;

  constructor(
    protocol: 'netflow_v9' | 'ipfix',
    domain: number,
    id: number,
    options: boolean,
    scopeCount: number,
    ids: Int32Array,
    lengths: Int32Array,
    enterprises: Float64Array,
    nowMs: number,
  ) {
    this.protocol = protocol;
    this.domain = domain;
    this.id = id;
    this.options = options;
    this.scopeCount = scopeCount;
    this.ids = ids;
    this.lengths = lengths;
    this.enterprises = enterprises;
    const actions = new Uint8Array(ids.length);
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      // v9 scope fields use their own numbering (1 system, 2 interface…): never flow fields.
      const scopeV9 = protocol === 'netflow_v9' && i < scopeCount;
      actions[i] = scopeV9 || enterprises[i] !== 0 ? 0 : fieldAction(ids[i]!, lengths[i]!);
      if (lengths[i] === VARIABLE_LENGTH) total = -1;
      else if (total >= 0) total += lengths[i]!;
    }
    this.actions = actions;
    this.recordLength = total;
    this.learnedAtMs = nowMs;
    this.refreshedAtMs = nowMs;
  }

  sameLayout(other: Template): boolean {
    if (other.options !== this.options || other.scopeCount !== this.scopeCount || other.ids.length !== this.ids.length) return false;
    for (let i = 0; i < this.ids.length; i++) {
      if (other.ids[i] !== this.ids[i] || other.lengths[i] !== this.lengths[i] || other.enterprises[i] !== this.enterprises[i]) return false;
    }
    return true;
  }

  status(): FlowTemplateStatus {
    return {
      protocol: this.protocol,
      domain: this.domain,
      templateId: this.id,
      options: this.options,
      fieldCount: this.ids.length,
      recordLength: this.recordLength,
      learnedAtMs: this.learnedAtMs,
      refreshedAtMs: this.refreshedAtMs,
    };
  }
}

/** One number per (protocol, domain, template id): domain is 32 bits, id 16, so it stays exact. */
export function templateKey(protocol: 'netflow_v9' | 'ipfix', domain: number, id: number): number {
  return ((protocol === 'ipfix' ? 4294967296 : 0) + domain) * 65536 + id;
}
