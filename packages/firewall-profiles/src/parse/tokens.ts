// Splitting a rule's text into words without a shell: quotes group (and are removed), nothing
// is expanded, and characters a shell would act on are refused outright, so a rule can never
// smuggle a second command whichever way it is later joined.
export class RuleParseError extends Error {}

const FORBIDDEN = /[`$;&|<>\\\n\r\t\0]/;

export function tokenize(text: string): string[] {
  return tokenizeQuoted(text).map((t) => t.word);
}

/** The words, each marked when any part of it was quoted. */
export function tokenizeQuoted(text: string): { word: string; quoted: boolean }[] {
  if (typeof text !== 'string' || text.trim() === '') throw new RuleParseError('empty rule');
  if (text.length > 1024) throw new RuleParseError('longer than 1024 characters');
  const bad = FORBIDDEN.exec(text);
  if (bad) throw new RuleParseError(`character ${JSON.stringify(bad[0])} is not allowed (rules are never run by a shell)`);
  const out: { word: string; quoted: boolean }[] = [];
  let cur = '';
  let quote: string | null = null;
  let inWord = false;
  let wasQuoted = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
      wasQuoted = true;
    } else if (ch === ' ') {
      if (inWord) out.push({ word: cur, quoted: wasQuoted });
      cur = '';
      inWord = false;
      wasQuoted = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new RuleParseError(`unclosed ${quote} quote`);
  if (inWord) out.push({ word: cur, quoted: wasQuoted });
  return out;
}

// Values shared by the suites.
const PORT = /^[0-9]{1,5}$/;
export const isPort = (s: string): boolean => PORT.test(s) && Number(s) >= 1 && Number(s) <= 65535;
export const isPortRange = (s: string, sep: string): boolean => {
  const parts = s.split(sep);
  return parts.length <= 2 && parts.every(isPort) && (parts.length === 1 || Number(parts[0]) <= Number(parts[1]));
};
export const isUint = (s: string, max: number): boolean => /^[0-9]{1,10}$/.test(s) && Number(s) <= max;
export const IFACE = /^[A-Za-z0-9_.-]{1,15}$/;
export const NAME = /^[A-Za-z0-9_-]{1,32}$/;

export function isPrefix(s: string): boolean {
  const m = /^([0-9a-fA-F:.]+)(?:\/([0-9]{1,3}))?$/.exec(s);
  if (!m) return false;
  const addr = m[1]!;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(addr);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255) && (m[2] === undefined || Number(m[2]) <= 32);
  if (!addr.includes(':') || !/^[0-9a-fA-F:]+$/.test(addr) || (addr.match(/::/g)?.length ?? 0) > 1) return false;
  const groups = addr.split(':').filter((g) => g !== '');
  if (groups.some((g) => g.length > 4) || groups.length > 8 || (!addr.includes('::') && groups.length !== 8)) return false;
  return m[2] === undefined || Number(m[2]) <= 128;
}
export const familyOf = (prefix: string): 4 | 6 => (prefix.includes(':') ? 6 : 4);

export function oneOf(word: string | undefined, allowed: readonly string[], what: string): string {
  if (word === undefined || !allowed.includes(word)) throw new RuleParseError(`${what}: ${word === undefined ? 'missing' : JSON.stringify(word)}; allowed: ${allowed.join(', ')}`);
  return word;
}
