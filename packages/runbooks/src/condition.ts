// The condition step's evaluator: clauses over incident facts and earlier steps' results, compared
// by a fixed set of operators. Values are compared as numbers when both sides are numeric, as
// strings otherwise; a field that is not there never satisfies a clause (except ne / not_in).
import type { ConditionClause } from '@breakwater/contracts';
import type { PriorResult } from './step.ts';

type Value = string | number | string[] | null | undefined;

const STEP_FIELD = /^steps\[(\d{1,2})\]\.(status|output\.([a-z_]{1,32}))$/;

/** The value a clause's field names; `index` is the condition's own step (later steps are not there yet). */
export function fieldValue(field: string, facts: Readonly<Record<string, Value>>, results: readonly PriorResult[], index: number): Value {
  const m = STEP_FIELD.exec(field);
  if (!m) return facts[field];
  const i = Number(m[1]);
  if (i >= index) return undefined;
  const r = results[i];
  if (!r) return undefined;
  if (m[2] === 'status') return r.status;
  const v = r.output[m[3]!];
  return typeof v === 'string' || typeof v === 'number' ? v : Array.isArray(v) ? v.map(String) : undefined;
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

function compare(a: Value, b: string | number): number | null {
  const x = num(a), y = num(b);
  if (x !== null && y !== null) return x - y;
  if (a === null || a === undefined || Array.isArray(a)) return null;
  return String(a) === String(b) ? 0 : String(a) < String(b) ? -1 : 1;
}

const same = (a: Value, b: string | number) => compare(a, b) === 0;

export function clauseHolds(c: ConditionClause, actual: Value): boolean {
  const list = Array.isArray(c.value) ? c.value : [c.value];
  const one = Array.isArray(c.value) ? c.value[0] : c.value;
  switch (c.op) {
    case 'eq': return one !== undefined && same(actual, one);
    case 'ne': return one === undefined || !same(actual, one);
    case 'in': return list.some((v) => same(actual, v));
    case 'not_in': return !list.some((v) => same(actual, v));
    case 'contains': return Array.isArray(actual) ? list.some((v) => actual.includes(String(v))) : typeof actual === 'string' && list.some((v) => actual.includes(String(v)));
    default: {
      if (one === undefined) return false;
      const d = compare(actual, one);
      if (d === null || num(actual) === null) return false;
      return c.op === 'gt' ? d > 0 : c.op === 'gte' ? d >= 0 : c.op === 'lt' ? d < 0 : d <= 0;
    }
  }
}

export interface ConditionVerdict {
  holds: boolean;
  clauses: Array<{ field: string; op: string; value: unknown; actual: unknown; holds: boolean }>;
}

export function evaluate(when: readonly ConditionClause[], match: 'all' | 'any', facts: Readonly<Record<string, Value>>, results: readonly PriorResult[], index: number): ConditionVerdict {
  const clauses = when.map((c) => {
    const actual = fieldValue(c.field, facts, results, index);
    return { field: c.field, op: c.op, value: c.value, actual: actual ?? null, holds: clauseHolds(c, actual) };
  });
  const holds = match === 'any' ? clauses.some((c) => c.holds) : clauses.every((c) => c.holds);
  return { holds, clauses };
}
