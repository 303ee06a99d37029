// The escalation policy as the operator reads it (each tier: thresholds → action → adapter → TTL;
// dry-run, hold-down, baseline mode, geo lockdown, safety limits) and, for admins as the API allows,
// edits it: fields drawn from EscalationPolicy and Tier (contracts), the adapter chosen by name.
import { useState, type FormEvent } from 'react';
import { EscalationPolicy, Tier, type EscalationPolicy as Policy, type PolicyBody } from '@breakwater/contracts';
import { api } from '../../api/client.ts';
import type { AdapterInfo } from '../../api/types.ts';
import { SelectField } from '../../components/field.tsx';
import { Problem } from '../../components/layout.tsx';
import { SchemaFields, textsOf, valuesOf } from '../../components/schema-form.tsx';
import { bps, pps } from '../../format.ts';
import { useCan } from '../../session.tsx';
import type { Loaded } from '../../use-api.ts';
import { useFocusFirst } from './use-focus-first.ts';
import { formSchema, problemAt, problemsByKey, propOf, unclaimed } from './form-schema.ts';

const TIER = formSchema(Tier, { omit: ['adapter_id'] });
const SETTINGS = formSchema(EscalationPolicy, { omit: ['thresholds', 'geo_lockdown'] });
const GEO = formSchema(propOf(EscalationPolicy, 'geo_lockdown'), { omit: ['adapter_id'] });

const ttlOf = (p: Policy, name: string, own: number | undefined) => own ?? (typeof p.ttl === 'number' ? p.ttl : p.ttl[name] ?? 3600);
const when = (t: Policy['thresholds'][number]) => [t.pps !== undefined ? `≥ ${pps(t.pps)}` : null, t.bps !== undefined ? `≥ ${bps(t.bps)}` : null, t.multiplier !== undefined ? `× ${t.multiplier} p99` : null].filter(Boolean).join(' or ');

export function PolicySection({ adapters, policy }: { adapters: AdapterInfo[]; policy: Loaded<Policy> }) {
  const isAdmin = useCan('admin');
  const [editing, setEditing] = useState(false);
  const p = policy.data;
  const adapterName = (id: string | undefined) => (id ? adapters.find((a) => a.id === id)?.name ?? id : '—');
  return (
    <section className="card" aria-labelledby="policy-title">
      <div className="page-header"><h2 id="policy-title">Escalation policy</h2>
        {isAdmin && p && !editing ? <div className="actions"><button type="button" onClick={() => setEditing(true)}>Edit policy</button></div> : null}
      </div>
      <Problem error={policy.error} />
      {p && !editing ? (
        <>
          <p data-policy-summary>
            <span className={`badge tone-${p.enabled ? 'online' : 'neutral'}`}>{p.enabled ? 'enabled' : 'disabled'}</span>{' '}
            {p.dry_run ? <span className="badge tone-elevated" data-dry-run>dry run: rules are recorded, not announced</span> : null}{' '}
            baseline mode <strong>{p.baseline_mode}</strong> · hold-down <strong>{p.hold_down_seconds} s</strong> · max rule TTL <strong>{p.max_rule_ttl} s</strong> · blackholes no wider than /{p.min_blackhole_prefix_v4} (IPv4), /{p.min_blackhole_prefix_v6} (IPv6) · communities {p.blackhole_communities.join(' ') || '—'}
          </p>
          <p data-geo-lockdown>Geo lockdown: {p.geo_lockdown.enabled ? `on — ${p.geo_lockdown.countries.join(', ')} by ${p.geo_lockdown.action}${p.geo_lockdown.adapter_id ? ` through ${adapterName(p.geo_lockdown.adapter_id)}` : ''}` : 'off'}</p>
          {p.thresholds.length === 0 ? <p className="muted">No tier: attacks are detected and reported, nothing is mitigated automatically.</p> : (
            <div className="table-wrap">
              <table data-table="policy-tiers">
                <thead><tr><th scope="col">Tier</th><th scope="col">When</th><th scope="col">Action</th><th scope="col">Through</th><th scope="col" className="num">TTL</th></tr></thead>
                <tbody>{p.thresholds.map((t) => (
                  <tr key={t.name} data-tier={t.name}>
                    <th scope="row">{t.name}</th><td>{when(t) || '—'}</td><td>{t.action}</td>
                    <td>{t.action === 'firewall' ? 'the node\'s firewall' : t.integration_id ? `scrubbing ${t.integration_id}` : adapterName(t.adapter_id)}</td>
                    <td className="num">{ttlOf(p, t.name, t.ttl)} s</td>
                  </tr>
                ))}</tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
      {p && editing ? <PolicyForm policy={p} adapters={adapters} onDone={(saved) => { setEditing(false); if (saved) policy.reload(); }} /> : null}
    </section>
  );
}

interface TierDraft { key: number; texts: Record<string, string>; adapter: string }
let nextKey = 0;

function PolicyForm({ policy, adapters, onDone }: { policy: Policy; adapters: AdapterInfo[]; onDone: (saved: boolean) => void }) {
  const focusRef = useFocusFirst<HTMLFormElement>();
  const [tiers, setTiers] = useState<TierDraft[]>(() => policy.thresholds.map((t) => ({ key: nextKey++, texts: textsOf(TIER, t), adapter: t.adapter_id ?? '' })));
  const [settings, setSettings] = useState(() => textsOf(SETTINGS, policy));
  const [geo, setGeo] = useState(() => textsOf(GEO, policy.geo_lockdown));
  const [geoAdapter, setGeoAdapter] = useState(policy.geo_lockdown.adapter_id ?? '');
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Map<string, string>>(new Map());
  const [busy, setBusy] = useState(false);
  const problems = new Map([...problemsByKey(error), ...local]);
  const at = (key: string) => problemAt(problems, key);
  const adapterOptions: [string, string][] = [['', '—'], ...adapters.map((a) => [a.id, `${a.name} (${a.adapter_type})`] as [string, string])];
  const change = (i: number, d: Partial<TierDraft>) => setTiers(tiers.map((t, j) => (j === i ? { ...t, ...d } : t)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const bad = new Map<string, string>();
    const thresholds = tiers.map((t, i) => {
      const v = valuesOf(TIER, t.texts);
      for (const [k, m] of Object.entries(v.invalid)) bad.set(`thresholds.${i}.${k}`, `thresholds.${i}.${m}`);
      return { ...v.value, ...(t.adapter ? { adapter_id: t.adapter } : {}) };
    });
    const s = valuesOf(SETTINGS, settings);
    const g = valuesOf(GEO, geo);
    for (const [k, m] of Object.entries(s.invalid)) bad.set(k, m);
    for (const [k, m] of Object.entries(g.invalid)) bad.set(`geo_lockdown.${k}`, `geo_lockdown.${m}`);
    setLocal(bad);
    setError(null);
    if (bad.size > 0) return;
    const body = { ...s.value, thresholds, geo_lockdown: { ...g.value, ...(geoAdapter ? { adapter_id: geoAdapter } : {}) } } as PolicyBody;
    setBusy(true);
    try {
      await api.put('/api/v1/mitigation/escalation-policy', body);
      onDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const top = unclaimed(error, problems, (k) => k.startsWith('thresholds.') || k.startsWith('geo_lockdown') || k in (SETTINGS.properties ?? {}));
  return (
    <form ref={focusRef} onSubmit={(e) => void submit(e)} className="form-grid" noValidate aria-label="Escalation policy" data-form="policy">
      {top ? <p className="problem" role="alert">{top}</p> : null}
      {tiers.map((t, i) => (
        <fieldset key={t.key} className="subform" data-tier-index={i}>
          <legend>Tier {i + 1}</legend>
          {problems.get(`thresholds.${i}`) ? <p className="field-error" role="alert">{problems.get(`thresholds.${i}`)}</p> : null}
          <div className="form-grid">
            <SchemaFields schema={TIER} texts={t.texts} name={`thresholds.${i}.`} errorOf={(k) => at(`thresholds.${i}.${k}`)} onChange={(k, v) => change(i, { texts: { ...t.texts, [k]: v } })} />
            <SelectField label="adapter id" name={`thresholds.${i}.adapter_id`} value={t.adapter} onChange={(e) => change(i, { adapter: e.target.value })} options={adapterOptions}
              error={at(`thresholds.${i}.adapter_id`)} hint="required for flowspec and blackhole; for scrubbing an adapter that carries it (or integration id)" />
          </div>
          <button type="button" onClick={() => setTiers(tiers.filter((_, j) => j !== i))}>Remove tier {i + 1}</button>
        </fieldset>
      ))}
      <div className="form-actions"><button type="button" onClick={() => setTiers([...tiers, { key: nextKey++, texts: { name: `tier${tiers.length + 1}` }, adapter: '' }])}>Add tier</button></div>
      <fieldset className="subform"><legend>Settings</legend>
        <div className="form-grid"><SchemaFields schema={SETTINGS} texts={settings} errorOf={at} onChange={(k, v) => setSettings({ ...settings, [k]: v })} /></div>
      </fieldset>
      <fieldset className="subform"><legend>Geo lockdown</legend>
        <div className="form-grid">
          <SchemaFields schema={GEO} texts={geo} name="geo_lockdown." errorOf={(k) => at(`geo_lockdown.${k}`)} onChange={(k, v) => setGeo({ ...geo, [k]: v })} />
          <SelectField label="adapter id" name="geo_lockdown.adapter_id" value={geoAdapter} onChange={(e) => setGeoAdapter(e.target.value)} options={adapterOptions} error={at('geo_lockdown.adapter_id')} hint="required when the action is flowspec" />
        </div>
      </fieldset>
      <div className="form-actions row-actions">
        <button type="submit" className="primary" disabled={busy}>Save policy</button>
        <button type="button" onClick={() => onDone(false)}>Cancel</button>
      </div>
    </form>
  );
}
