// The human-readable text rule, checked the way validators compile it: with the regex `u`
// flag (Ajv) and without (other JSON Schema readers), which must agree.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MultilineText, PATTERN_MESSAGES, SafeText } from './common.ts';

const patternOf = (schema: object) => (schema as { pattern: string }).pattern;
const compile = (schema: object) => ['u', ''].map((flags) => new RegExp(patternOf(schema), flags));

test('single-line text: any script allowed, controls, bidi and format marks and lone surrogates refused', () => {
  const good = ['Zürich-edge-1', '東京', 'مرحبا', 'Ωmega 😀 #2', 'a\u00A0b', ''];
  const bad = ['\u0000', '\u0007', '\t', '\n', '\r', '\u001B[31m', '\u007F', '\u0085', '\u009F', '\u200B', '\u200E', '\u200F', '\u2028', '\u202A', '\u202E', '\u2060', '\u2066', '\u2069', '\uFEFF', '\uD800', '\uDFFF', '😀\uDC00'];
  for (const re of compile(SafeText())) {
    for (const s of good) assert.ok(re.test(s), `${re.flags} ${JSON.stringify(s)}`);
    for (const s of bad) assert.ok(!re.test(`ok${s}ok`), `${re.flags} ${JSON.stringify(s)}`);
  }
});

test('multi-line text allows line feed and tab only', () => {
  for (const re of compile(MultilineText())) {
    assert.ok(re.test('line one\n\tline two'));
    for (const s of ['\r', '\u0000', '\u202E', '\u000B']) assert.ok(!re.test(`a${s}b`), JSON.stringify(s));
  }
});

test('each text pattern has a message that says what is allowed', () => {
  assert.match(PATTERN_MESSAGES.get(patternOf(SafeText())) ?? '', /^must not contain control or bidirectional-override characters .*letters and symbols of any script are allowed$/);
  assert.match(PATTERN_MESSAGES.get(patternOf(MultilineText())) ?? '', /other than line feed and tab/);
});
