// Firewall profiles: pick a kind of server and a suite, read exactly what a node would run (each
// rule with its reason), apply it to nodes (operators), and follow each node's state; roll back.
import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../api/client.ts';
import { profilesApi, type ProfileInfo, type ProfileNode, type ProfilePreview, type ProfileStatus } from '../api/profiles.ts';
import { PageHeader, Problem } from '../components/layout.tsx';
import { useCan } from '../session.tsx';

const SUITES = ['nftables', 'iptables', 'ufw', 'firewalld'] as const;

export function ProfilesPage() {
  const canAct = useCan('operator');
  const [profiles, setProfiles] = useState<ProfileInfo[] | null>(null);
  const [nodes, setNodes] = useState<ProfileNode[]>([]);
  const [status, setStatus] = useState<ProfileStatus[]>([]);
  const [profile, setProfile] = useState('game_server');
  const [suite, setSuite] = useState<string>('nftables');
  const [preview, setPreview] = useState<ProfilePreview | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const reloadStatus = useCallback(() => void profilesApi.status().then(setStatus).catch((e: ApiError) => setError(e)), []);
  useEffect(() => {
    profilesApi.list().then(setProfiles).catch((e: ApiError) => setError(e));
    profilesApi.nodes().then(setNodes).catch((e: ApiError) => setError(e));
    reloadStatus();
    const timer = setInterval(reloadStatus, 3000);
    return () => clearInterval(timer);
  }, [reloadStatus]);
  useEffect(() => {
    setPreview(null);
    profilesApi.preview(profile, suite).then(setPreview).catch((e: ApiError) => setError(e));
  }, [profile, suite]);

  const act = async (fn: () => Promise<{ node_id: string }[]>, what: string) => {
    setError(null);
    try {
      const r = await fn();
      setNote(`${what}: ${r.length} node(s)`);
      reloadStatus();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const info = profiles?.find((p) => p.id === profile);

  return (
    <>
      <PageHeader title="Firewall profiles" />
      <Problem error={error} />
      {note ? <p className="muted" data-profile-note>{note}</p> : null}
      <section className="card">
        <label>Profile <select aria-label="Profile" value={profile} onChange={(e) => setProfile(e.target.value)}>
          {profiles?.map((p) => <option key={p.id} value={p.id}>{p.title} ({p.id})</option>)}
        </select></label>{' '}
        <label>Suite <select aria-label="Suite" value={suite} onChange={(e) => setSuite(e.target.value)}>
          {SUITES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select></label>
        {info ? <p className="muted">{info.description} Open TCP: {info.tcp_ports.join(', ') || 'none'}; UDP: {info.udp_ports.join(', ') || 'none'}.</p> : null}
        {preview ? (
          <>
            <table data-profile-rules>
              <thead><tr><th>#</th><th>Rule</th><th>Why</th><th>{suite}</th></tr></thead>
              <tbody>{preview.rules.map((r, i) => <tr key={i}><td>{i}</td><td>{r.title}</td><td>{r.reason}</td><td><code>{r.cmd}</code></td></tr>)}</tbody>
            </table>
            <h3>What a node runs</h3>
            <pre data-profile-script>{preview.script}</pre>
            <p className="muted">The agent puts its own connection to this server first, so a profile never cuts it off.</p>
          </>
        ) : <p className="muted">Loading the preview…</p>}
      </section>
      {canAct ? (
        <section className="card">
          <h3>Apply to nodes</h3>
          {nodes.map((n) => (
            <label key={n.uuid} style={{ display: 'block' }}>
              <input type="checkbox" checked={chosen.includes(n.uuid)} onChange={(e) => setChosen(e.target.checked ? [...chosen, n.uuid] : chosen.filter((x) => x !== n.uuid))} /> {n.name}
            </label>
          ))}
          <button type="button" disabled={chosen.length === 0} onClick={() => void act(() => profilesApi.apply({ profile_id: profile, suite, node_ids: chosen }), `${profile} (${suite}) sent`)}>Apply {profile}</button>{' '}
          <button type="button" onClick={() => void act(() => profilesApi.apply({ profile_id: profile, suite, node_ids: ['all'] }), `${profile} (${suite}) sent`)}>Apply to all nodes</button>
        </section>
      ) : null}
      <section className="card">
        <h3>Status per node</h3>
        {status.length === 0 ? <p className="muted">No node has a profile yet.</p> : (
          <table data-profile-status>
            <thead><tr><th>Node</th><th>Profile</th><th>Suite</th><th>State</th><th>Rules</th><th>Error</th>{canAct ? <th /> : null}</tr></thead>
            <tbody>{status.map((s) => (
              <tr key={s.node_id} data-node={s.node_name} data-state={s.state}>
                <td>{s.node_name}</td><td>{s.profile_id}</td><td>{s.suite}</td><td>{s.state}</td><td>{s.rule_count}</td><td>{s.error ?? ''}</td>
                {canAct ? <td>{s.state === 'applied' || s.state === 'pending' || s.state === 'failed' ? <button type="button" onClick={() => void act(() => profilesApi.rollback([s.node_id]), 'rollback sent')}>Roll back</button> : null}</td> : null}
              </tr>
            ))}</tbody>
          </table>
        )}
      </section>
    </>
  );
}
