// A rule announced by hand, exactly as POST /api/v1/mitigation/rules takes it (RuleBody): target,
// intent (blackhole, FlowSpec, scrubbing), adapter, TTL, reason, dry run; a blackhole's communities
// and next hop; a FlowSpec rule's match (source, protocols, ports, TCP flags, packet length,
// fragments) and action (discard, rate-limit, redirect, mark). Operators only, as the API.
import { useState, type FormEvent } from 'react';
import { CAPABILITIES, IP_PROTOCOLS, RuleBody, type RuleBody as Body } from '@breakwater/contracts';
import { api } from '../../api/client.ts';
import type { AdapterInfo } from '../../api/types.ts';
import { SelectField, TextField } from '../../components/field.tsx';
import { SchemaFields, hintOf, valuesOf, type PropSchema } from '../../components/schema-form.tsx';
import { label } from '../../format.ts';
import { formSchema, isRangeList, parseRanges, problemAt, problemsByKey, propOf, unclaimed } from './form-schema.ts';

const COMMON = formSchema(RuleBody, { keys: ['target_ip', 'ttl', 'reason', 'dry_run'] });
const BLACKHOLE = formSchema(RuleBody, { keys: ['communities', 'next_hop'] });
const MATCH_ALL = formSchema(propOf(RuleBody, 'match'));
const RANGE_KEYS = Object.entries(MATCH_ALL.properties ?? {}).filter(([, p]) => isRangeList(p)).map(([k]) => k);
const MATCH = formSchema(propOf(RuleBody, 'match'), {
  omit: RANGE_KEYS,
  patch: { protocols: { description: `IP protocols, by name (${Object.keys(IP_PROTOCOLS).join(', ')}) or number` } },
});
/** The action's variants as the schema lists them: discard, rate-limit (bytes_per_second), redirect (route_target), mark (dscp). */
const ACTIONS = (((propOf(RuleBody, 'action') as { anyOf?: { properties?: Record<string, PropSchema & { const?: unknown }> }[] } | undefined)?.anyOf) ?? [])
  .map((v) => ({ type: typeof v.properties?.type?.const === 'string' ? v.properties.type.const : '', params: formSchema(v, { omit: ['type'] }) }));

/** Protocol names typed by the operator as the numbers the API takes. */
const protocolNumbers = (text: string) => text.split(/[\s,]+/).filter(Boolean).map((w) => String(IP_PROTOCOLS[w.toLowerCase() as keyof typeof IP_PROTOCOLS] ?? w)).join('\n');

export function ManualRule({ adapters, onCreated }: { adapters: AdapterInfo[]; onCreated: () => void }) {
  const [intent, setIntent] = useState<Body['intent_type']>('blackhole');
  const carrying = adapters.filter((a) => a.capabilities.includes(intent));
  const [adapter, setAdapter] = useState('');
  const [common, setCommon] = useState<Record<string, string>>({});
  const [bh, setBh] = useState<Record<string, string>>({});
  const [match, setMatch] = useState<Record<string, string>>({});
  const [ranges, setRanges] = useState<Record<string, string>>({});
  const [action, setAction] = useState('discard');
  const [params, setParams] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const problems = problemsByKey(error);
  const at = (k: string) => problemAt(problems, k);
  const variant = ACTIONS.find((a) => a.type === action) ?? ACTIONS[0];
  const chosen = carrying.some((a) => a.id === adapter) ? adapter : carrying[0]?.id ?? '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let body: Record<string, unknown> = { ...valuesOf(COMMON, common).value, intent_type: intent, adapter_id: chosen };
    if (intent === 'blackhole') body = { ...body, ...valuesOf(BLACKHOLE, bh).value };
    if (intent === 'flowspec') {
      const m: Record<string, unknown> = valuesOf(MATCH, { ...match, protocols: protocolNumbers(match.protocols ?? '') }).value;
      for (const k of RANGE_KEYS) {
        const r = parseRanges(ranges[k] ?? '');
        if (r !== undefined) m[k] = r;
      }
      body = { ...body, match: m, action: { type: variant?.type ?? 'discard', ...(variant ? valuesOf(variant.params, params).value : {}) } };
    }
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const r = await api.post('/api/v1/mitigation/rules', body as Body);
      setDone(`${r.intent_type} rule for ${r.target_ip}: ${r.status}${r.dry_run ? ' (dry run)' : ''}.`);
      setCommon({});
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const top = unclaimed(error, problems, (k) => ['target_ip', 'ttl', 'reason', 'dry_run', 'intent_type', 'adapter_id', 'communities', 'next_hop'].includes(k) || k.startsWith('match.') || k.startsWith('action'));
  return (
    <section className="card" aria-labelledby="manual-title">
      <h2 id="manual-title">Announce a rule by hand</h2>
      <form onSubmit={(e) => void submit(e)} className="form-grid" noValidate aria-label="Announce a rule" data-form="rule">
        {top ? <p className="problem" role="alert">{top}</p> : null}
        {done ? <p className="notice" role="status">{done}</p> : null}
        <SelectField label="intent type" name="intent_type" value={intent} onChange={(e) => setIntent(e.target.value as Body['intent_type'])} options={[...CAPABILITIES]} error={at('intent_type')}
          hint="blackhole: drop everything to the target upstream · flowspec: match and act on some of it · scrubbing: divert it" />
        <SelectField label="adapter id" name="adapter_id" value={chosen} onChange={(e) => setAdapter(e.target.value)} error={at('adapter_id')}
          options={carrying.length > 0 ? carrying.map((a) => [a.id, `${a.name} (${a.adapter_type})`]) : [['', `no adapter carries ${intent}`]]} />
        <SchemaFields schema={COMMON} texts={common} onChange={(k, v) => setCommon({ ...common, [k]: v })} errorOf={at} />
        {intent === 'blackhole' ? (
          <fieldset className="subform"><legend>Blackhole</legend><div className="form-grid">
            <SchemaFields schema={BLACKHOLE} texts={bh} onChange={(k, v) => setBh({ ...bh, [k]: v })} errorOf={at} />
          </div></fieldset>
        ) : null}
        {intent === 'flowspec' ? (
          <>
            <fieldset className="subform"><legend>Match (every part given must match)</legend><div className="form-grid">
              <SchemaFields schema={MATCH} texts={match} name="match." onChange={(k, v) => setMatch({ ...match, [k]: v })} errorOf={(k) => at(`match.${k}`)} />
              {RANGE_KEYS.map((k) => (
                <TextField key={k} label={label(k)} name={`match.${k}`} value={ranges[k] ?? ''} onChange={(e) => setRanges({ ...ranges, [k]: e.target.value })}
                  placeholder="53, 1024-65535" hint={`${hintOf(MATCH_ALL.properties![k]!, false)} · values and ranges, e.g. 53, 1024-65535`} error={at(`match.${k}`)} />
              ))}
            </div></fieldset>
            <fieldset className="subform"><legend>Action</legend><div className="form-grid">
              <SelectField label="action" name="action.type" value={action} onChange={(e) => { setAction(e.target.value); setParams({}); }} options={ACTIONS.map((a) => a.type)} error={problems.get('action') ?? problems.get('action.type') ?? null} />
              {variant ? <SchemaFields schema={variant.params} texts={params} name="action." onChange={(k, v) => setParams({ ...params, [k]: v })} errorOf={(k) => at(`action.${k}`)} /> : null}
            </div></fieldset>
          </>
        ) : null}
        <div className="form-actions"><button type="submit" className="primary" disabled={busy || !chosen}>Announce</button></div>
      </form>
    </section>
  );
}
