// Mitigation: what is announced now (and withdrawing it), a rule by hand, the adapters that carry
// rules (add, edit, test, delete), the escalation policy's tiers, per-host thresholds, the allowlist
// and the history. Each control shows only to the roles the API lets act (viewers see none); the
// sections live in pages/mitigation/.
//
// Stable names other tests (the end-to-end test) may drive, labels exact (`exact: true`). The
// adapter, override and allowlist forms are the shared SchemaForm inside a region with role form and
// the name below; the policy and rule forms use SchemaFields with the additions in form-schema.ts.
// - Adapters: button "Add adapter" opens the form named "Add adapter" (role form): select "adapter type",
//   fields "name", "endpoint", "auth token", "capabilities" (one per line), "max active rules" and the
//   type's config fields by key with _ as space ("communities", "next hop"…); submit "Add adapter".
//   Each row is tr[data-adapter-name="<name>"] with buttons "Test <name>", "Edit <name>" (form "Edit
//   adapter <name>", submit "Save adapter"), "Delete <name>"; a test's outcome is its [role=status]
//   ("OK: … (N ms)", data-test-result ok|failed|error, data-latency-ms).
// - Policy: button "Edit policy" opens form "Escalation policy"; "Add tier" adds fieldset "Tier N"
//   (role group) with "name", "pps", "bps", "multiplier", "action", "integration id", "ttl" and the
//   select "adapter id" (options by adapter name); "dry run", "hold down seconds", "baseline mode"…;
//   submit "Save policy". Saved tiers: table[data-table="policy-tiers"] tr[data-tier="<name>"].
// - Allowlist: button "Add to allowlist" opens form "Add to allowlist": "ip address", "label", "scope",
//   "node"; submit "Allowlist". Entries: tr[data-allow="<address>"], its [data-protects] cell.
// - Thresholds: "Add override" → form "Add override": "target ip", "label", "<tier>_pps"/"<tier>_bps".
// - A rule by hand: form "Announce a rule": "intent type", "adapter id", "target ip", "ttl", "reason",
//   "dry run", blackhole "communities"/"next hop", flowspec "protocols", "destination ports"…, "action";
//   submit "Announce".
import { useState } from 'react';
import type { ApiError} from '../api/client.ts';
import { api } from '../api/client.ts';
import { url } from '../api/routes.ts';
import type { RuleInfo } from '../api/types.ts';
import { PageHeader, Problem } from '../components/layout.tsx';
import { useLiveEvent } from '../live/hooks.ts';
import { useCan } from '../session.tsx';
import { useApi } from '../use-api.ts';
import { AdaptersSection } from './mitigation/adapters.tsx';
import { AllowlistSection } from './mitigation/allowlist.tsx';
import { ManualRule } from './mitigation/manual-rule.tsx';
import { PolicySection } from './mitigation/policy.tsx';
import { RuleTable } from './mitigation/rules.tsx';
import { ThresholdsSection } from './mitigation/thresholds.tsx';

export function MitigationPage() {
  const canAct = useCan('operator');
  const active = useApi('/api/v1/mitigation/rules');
  const history = useApi(url('/api/v1/mitigation/rules/history', { query: { limit: 50 } }));
  const adapters = useApi('/api/v1/mitigation/adapters');
  const policy = useApi('/api/v1/mitigation/escalation-policy');
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const reloadRules = () => {
    active.reload();
    history.reload();
    adapters.reload();
  };
  useLiveEvent((e) => {
    if (e.type.startsWith('mitigation.')) reloadRules();
  });
  const withdraw = async (r: RuleInfo) => {
    if (!window.confirm(`Withdraw the ${r.intent_type} rule for ${r.target_ip}? Traffic to it is no longer filtered.`)) return;
    setActionError(null);
    try {
      await api.del(url('/api/v1/mitigation/rules/:id', { params: { id: r.id } }));
    } catch (err) {
      setActionError(err as ApiError);
    }
    reloadRules();
  };
  if (active.error?.status === 404) {
    return <><PageHeader title="Mitigation" /><p className="muted">Mitigation is not available on this server.</p></>;
  }
  return (
    <>
      <PageHeader title="Mitigation" />
      <nav className="tabs" aria-label="Mitigation sections">
        {[['active-rules', 'Active rules'], ['adapters-title', 'Adapters'], ['policy-title', 'Policy'], ['thresholds-title', 'Thresholds'], ['allowlist-title', 'Allowlist'], ['history-title', 'History']].map(([id, name]) => <a key={id} href={`#${id}`}>{name}</a>)}
      </nav>
      <Problem error={actionError} />
      <section className="card" aria-labelledby="active-rules">
        <h2 id="active-rules">Active rules</h2>
        <Problem error={active.error} />
        {active.data && active.data.length === 0 ? <p className="muted">No rule is active.</p> : null}
        {active.data && active.data.length > 0 ? (
          <RuleTable rules={active.data} name="active-rules" action={canAct ? (r) => <button type="button" className="danger" onClick={() => void withdraw(r)} aria-label={`Withdraw ${r.intent_type} rule for ${r.target_ip}`}>Withdraw</button> : undefined} />
        ) : null}
      </section>
      {canAct && adapters.data && adapters.data.length > 0 ? <ManualRule adapters={adapters.data} onCreated={reloadRules} /> : null}
      <AdaptersSection adapters={adapters.data} error={adapters.error} reload={reloadRules} />
      <PolicySection adapters={adapters.data ?? []} policy={policy} />
      <ThresholdsSection tierNames={policy.data?.thresholds.map((t) => t.name) ?? []} />
      <AllowlistSection rules={active.data ?? []} />
      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <Problem error={history.error} />
        {history.data ? <RuleTable rules={history.data} name="rule-history" /> : null}
      </section>
    </>
  );
}
