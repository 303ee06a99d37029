// Template and options-template sets of NetFlow v9 (RFC 3954 §5.2, §6.1) and IPFIX (RFC 7011 §3.4).
// A bad template is counted and skipped; the rest of the set is read only while it still parses.
import { u16, u32 } from '../bytes.ts';
import type { Session } from '../session.ts';
import { Template, VARIABLE_LENGTH } from './template.ts';
import { learnTemplate, withdrawTemplate } from './template-store.ts';

/** NetFlow v9 template FlowSet (id 0). */
export function v9TemplateSet(s: Session, b: Uint8Array, off: number, end: number, domain: number): void {
  let p = off;
  while (end - p >= 4) {
    const id = u16(b, p);
    const count = u16(b, p + 2);
    p += 4;
    if (count === 0 && id === 0) return; // padding
    if (id < 256 || count === 0 || p + count * 4 > end) {
      s.fail('bad_template');
      return;
    }
    const ids = new Int32Array(count);
    const lengths = new Int32Array(count);
    let ok = true;
    for (let i = 0; i < count; i++, p += 4) {
      ids[i] = u16(b, p);
      lengths[i] = u16(b, p + 2);
      // v9 has no variable-length fields: 65535 is as wrong as 0 here.
      if (lengths[i] === 0 || lengths[i] === VARIABLE_LENGTH) ok = false;
    }
    if (!ok) s.fail('bad_template');
    else learnTemplate(s, new Template('netflow_v9', domain, id, false, 0, ids, lengths, new Float64Array(count), s.receivedAtMs));
  }
}

/** NetFlow v9 options template FlowSet (id 1): scope and option lengths are in bytes. */
export function v9OptionsTemplateSet(s: Session, b: Uint8Array, off: number, end: number, domain: number): void {
  let p = off;
  while (end - p >= 6) {
    const id = u16(b, p);
    const scopeBytes = u16(b, p + 2);
    const optionBytes = u16(b, p + 4);
    p += 6;
    if (id === 0 && scopeBytes === 0 && optionBytes === 0) return; // padding
    if (id < 256 || scopeBytes % 4 !== 0 || optionBytes % 4 !== 0 || scopeBytes + optionBytes === 0 || p + scopeBytes + optionBytes > end) {
      s.fail('bad_template');
      return;
    }
    const count = (scopeBytes + optionBytes) / 4;
    const ids = new Int32Array(count);
    const lengths = new Int32Array(count);
    let ok = true;
    for (let i = 0; i < count; i++, p += 4) {
      ids[i] = u16(b, p);
      lengths[i] = u16(b, p + 2);
      if (lengths[i] === 0 || lengths[i] === VARIABLE_LENGTH) ok = false;
    }
    if (!ok) s.fail('bad_template');
    else learnTemplate(s, new Template('netflow_v9', domain, id, true, scopeBytes / 4, ids, lengths, new Float64Array(count), s.receivedAtMs));
  }
}

/** IPFIX template set (2) or options template set (3). A field count of 0 withdraws. */
export function ipfixTemplateSet(s: Session, b: Uint8Array, off: number, end: number, domain: number, options: boolean): void {
  let p = off;
  const head = options ? 6 : 4;
  while (end - p >= 4) {
    const id = u16(b, p);
    const count = u16(b, p + 2);
    if (count === 0) {
      // A withdrawal is 4 bytes even in an options template set (RFC 7011 §8.1).
      p += 4;
      if (id === 0) return; // padding
      if (id < 256 && id !== (options ? 3 : 2)) {
        s.fail('bad_template');
        return;
      }
      withdrawTemplate(s, domain, id, options);
      continue;
    }
    if (end - p < head) {
      s.fail('bad_template');
      return;
    }
    const scopeCount = options ? u16(b, p + 4) : 0;
    p += head;
    if (id < 256 || (options && (scopeCount === 0 || scopeCount > count))) {
      s.fail('bad_template');
      return;
    }
    const ids = new Int32Array(count);
    const lengths = new Int32Array(count);
    const enterprises = new Float64Array(count);
    let ok = true;
    for (let i = 0; i < count; i++) {
      if (end - p < 4) {
        s.fail('bad_template');
        return;
      }
      const raw = u16(b, p);
      lengths[i] = u16(b, p + 2);
      p += 4;
      if (raw & 0x8000) {
        if (end - p < 4) {
          s.fail('bad_template');
          return;
        }
        enterprises[i] = u32(b, p);
        ids[i] = raw & 0x7fff;
        p += 4;
      } else {
        ids[i] = raw;
      }
      if (lengths[i] === 0) ok = false;
    }
    if (!ok) s.fail('bad_template');
    else learnTemplate(s, new Template('ipfix', domain, id, options, scopeCount, ids, lengths, enterprises, s.receivedAtMs));
  }
}
