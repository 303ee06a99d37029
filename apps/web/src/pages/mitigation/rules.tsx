// Rules as the mitigation page lists them: what is announced now (and withdrawing it), and what was.
import type { ReactNode } from 'react';
import type { RuleInfo } from '../../api/types.ts';
import { ago, time } from '../../format.ts';
import { Link } from '../../router.ts';

/** A FlowSpec rule's match and action in one line ("udp dst 53 → rate-limit 1000 B/s"). */
function flowspecText(spec: unknown): string | null {
  const s = spec as { kind?: string; match?: Record<string, unknown>; action?: { type: string; bytes_per_second?: number; route_target?: string; dscp?: number } } | null;
  if (s?.kind !== 'flowspec' || !s.match) return null;
  const ranges = (v: unknown) => (Array.isArray(v) ? v.map((r: { from: number; to: number }) => (r.from === r.to ? r.from : `${r.from}-${r.to}`)).join(',') : null);
  const m = s.match;
  const parts = [
    Array.isArray(m.protocols) ? `proto ${m.protocols.join(',')}` : null, typeof m.source === 'string' ? `src ${m.source}` : null,
    ranges(m.source_ports) ? `sport ${ranges(m.source_ports)}` : null, ranges(m.destination_ports) ? `dport ${ranges(m.destination_ports)}` : null,
    Array.isArray(m.tcp_flags) ? `flags ${m.tcp_flags.join(',')}` : null, ranges(m.packet_length) ? `len ${ranges(m.packet_length)}` : null,
    Array.isArray(m.fragment) ? `frag ${m.fragment.join(',')}` : null,
  ].filter(Boolean);
  const a = s.action;
  const act = !a ? '' : a.type === 'rate-limit' ? `rate-limit ${a.bytes_per_second} B/s` : a.type === 'redirect' ? `redirect ${a.route_target}` : a.type === 'mark' ? `mark dscp ${a.dscp}` : a.type;
  return `${parts.join(' ') || 'all traffic'} → ${act}`;
}

export function RuleTable({ rules, name, action }: { rules: RuleInfo[]; name: string; action?: ((r: RuleInfo) => ReactNode) | undefined }) {
  return (
    <div className="table-wrap">
      <table data-table={name}>
        <thead><tr><th scope="col">Target</th><th scope="col">Action</th><th scope="col">Adapter</th><th scope="col">Status</th><th scope="col" className="hide-sm">Reason</th><th scope="col">Created</th><th scope="col" className="hide-sm">Expires / withdrawn</th>{action ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.id} data-rule={r.id} data-rule-status={r.status}>
              <th scope="row"><code>{r.target_ip}</code>{r.incident_id ? <div className="small"><Link to={`/incidents/${r.incident_id}`}>incident</Link></div> : null}</th>
              <td>{r.intent_type}{r.tier ? <div className="muted small">{r.tier}</div> : null}{flowspecText(r.spec) ? <div className="muted small" data-flowspec>{flowspecText(r.spec)}</div> : null}</td>
              <td>{r.adapter_name ?? '—'}</td>
              <td><span className={`badge tone-${r.status === 'active' ? 'attack' : r.status === 'failed' ? 'elevated' : 'neutral'}`}>{r.status}</span>{r.dry_run ? <span className="muted small"> dry run</span> : null}{r.error ? <div className="field-error small">{r.error}</div> : null}</td>
              <td className="hide-sm">{r.reason || '—'}<div className="muted small">{r.owner}</div></td>
              <td>{time(r.created_at)}</td>
              <td className="hide-sm">{r.withdrawn_at ? `withdrawn ${ago(r.withdrawn_at)}${r.withdrawn_by ? ` by ${r.withdrawn_by}` : ''}` : r.expires_at ? `expires ${time(r.expires_at)}` : 'no expiry'}</td>
              {action ? <td>{r.status === 'active' || r.status === 'dry_run' || r.status === 'pending' ? action(r) : null}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
