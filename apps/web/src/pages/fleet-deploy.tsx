// Putting agents on hosts: deploy over SSH (host, port, user, a registered key, the host key
// pinned or trusted on first use, a label) with the job's steps shown while it runs; the SSH keys
// deploys name; and the install one-liner made from a single-use enrolment key.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { fleetDeployApi, type AgentDeployed, type DeployJob, type EnrolmentKeyCreated, type EnrolmentKeyInfo, type SshKeyInfo } from '../api/fleet-deploy.ts';
import { SelectField, TextAreaField, TextField, errorFor, formError, text } from '../components/field.tsx';
import { PageHeader, Problem } from '../components/layout.tsx';
import { ago, label, time } from '../format.ts';
import { useSession } from '../session.tsx';

const DEPLOY_FIELDS = ['host', 'ssh_port', 'ssh_user', 'ssh_key', 'host_key_fingerprint', 'trust_on_first_use', 'label'];
const KEY_FIELDS = ['name', 'private_key', 'passphrase'];
const STEP_WORDS: Record<string, string> = {
  connect: 'Connect', host_key: 'Host key', upload: 'Upload', enrol: 'Enrol', install: 'Install', start: 'Start', online: 'Online',
};

/** Loads with `load`, again on reload(); errors kept for the section to show. */
function useLoad<T>(load: () => Promise<T>, enabled = true) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    load().then((d) => live && (setData(d), setError(null)), (e: unknown) => live && setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e))));
    return () => {
      live = false;
    };
  }, [tick, enabled, load]);
  return { data, error, reload: useCallback(() => setTick((t) => t + 1), []) };
}

function JobSteps({ job }: { job: DeployJob }) {
  return (
    <ol className="deploy-steps" data-job={job.id} data-status={job.status} aria-label={`Deploy to ${job.host}: ${job.status}`}>
      {job.steps.map((s) => (
        <li key={s.name} data-step={s.name} data-state={s.state} className={`step-${s.state}`}>
          <span className="step-name">{STEP_WORDS[s.name] ?? s.name}</span> <span className="muted">{label(s.state)}</span>
          {s.detail ? <small className="hint"> — {s.detail}</small> : null}
        </li>
      ))}
    </ol>
  );
}

function DeploySection({ keys }: { keys: SshKeyInfo[] }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [tofu, setTofu] = useState(false);
  const [done, setDone] = useState<AgentDeployed | null>(null);
  const jobs = useLoad(fleetDeployApi.jobs);
  // While a deploy runs, its job (the newest) is read every second to show its steps.
  useEffect(() => {
    if (!busy) return;
    const t = setInterval(jobs.reload, 1000);
    return () => clearInterval(t);
  }, [busy, jobs.reload]);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    setDone(null);
    setBusy(true);
    try {
      const port = Number(text(f, 'ssh_port') || '22');
      const fingerprint = text(f, 'host_key_fingerprint').trim();
      const lbl = text(f, 'label').trim();
      setDone(await fleetDeployApi.deploy({
        host: text(f, 'host').trim(), ssh_port: port, ssh_user: text(f, 'ssh_user').trim() || 'root', ssh_key: text(f, 'ssh_key'),
        ...(fingerprint ? { host_key_fingerprint: fingerprint } : {}), ...(tofu ? { trust_on_first_use: true } : {}), ...(lbl ? { label: lbl } : {}),
        ...(f.get('replace_existing') ? { replace_existing: true } : {}),
      }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      jobs.reload();
    }
  };
  const latest = jobs.data?.[0];
  return (
    <section className="card" aria-labelledby="deploy-title">
      <h2 id="deploy-title">Deploy over SSH</h2>
      <p className="muted">Connects with a registered key, checks the host key, installs the agent, enrols it and starts it. Only hosts the server&apos;s outbound config allows are reached.</p>
      <form onSubmit={(e) => void submit(e)} className="form-grid" noValidate aria-busy={busy}>
        {formError(error, DEPLOY_FIELDS) ? <p className="problem" role="alert">{formError(error, DEPLOY_FIELDS)}</p> : null}
        <TextField label="Host" name="host" required placeholder="192.0.2.15" error={errorFor(error, 'host')} />
        <TextField label="SSH port" name="ssh_port" type="number" min={1} max={65535} defaultValue={22} error={errorFor(error, 'ssh_port')} />
        <TextField label="SSH user" name="ssh_user" defaultValue="root" error={errorFor(error, 'ssh_user')} />
        <SelectField label="SSH key" name="ssh_key" options={keys.map((k) => [k.name, `${k.name} (${k.fingerprint.slice(0, 19)}…)`])} error={errorFor(error, 'ssh_key')}
          hint={keys.length === 0 ? 'Register a key below first.' : undefined} />
        <TextField label="Host key fingerprint" name="host_key_fingerprint" placeholder="SHA256:…" disabled={tofu} error={errorFor(error, 'host_key_fingerprint')}
          hint="As `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` prints it on the host." />
        <div className="field">
          <label className="check"><input type="checkbox" name="trust_on_first_use" checked={tofu} onChange={(e) => setTofu(e.target.checked)} /> Trust the host key on first use (recorded)</label>
        </div>
        <TextField label="Label" name="label" placeholder="db-01" error={errorFor(error, 'label')} />
        <div className="field">
          <label className="check"><input type="checkbox" name="replace_existing" /> Replace an agent already on the host (enrolled again as a new agent)</label>
        </div>
        <div className="form-actions"><button type="submit" className="primary" disabled={busy || keys.length === 0}>{busy ? 'Deploying…' : 'Deploy agent'}</button></div>
      </form>
      {done ? (
        <div className="notice" role="status" data-deployed={done.agent_id}>
          <p>Agent <a href={`/nodes/${done.agent_id}`}>{done.agent_id}</a> is deployed and reporting.</p>
        </div>
      ) : null}
      {latest ? (
        <div className="deploy-progress" aria-live="polite">
          <h3>Latest deploy: {latest.host}:{latest.ssh_port} <span className={`badge status-${latest.status}`}>{latest.status}</span></h3>
          <JobSteps job={latest} />
          {latest.error ? <p className="problem" data-job-error>{latest.error}</p> : null}
          {latest.host_key_fingerprint ? <p className="muted">Host key {latest.host_key_fingerprint} ({latest.host_key_trust})</p> : null}
        </div>
      ) : null}
      <Problem error={jobs.error} />
      {jobs.data && jobs.data.length > 1 ? (
        <details>
          <summary>Earlier deploys</summary>
          <table data-table="deploy-jobs">
            <thead><tr><th scope="col">Host</th><th scope="col">Status</th><th scope="col">By</th><th scope="col">When</th></tr></thead>
            <tbody>{jobs.data.slice(1).map((j) => (
              <tr key={j.id} data-job={j.id}><th scope="row">{j.label ?? j.host}</th><td>{j.status}{j.error ? <small className="hint"> — {j.error}</small> : null}</td><td>{j.created_by}</td><td>{ago(j.created_at)}</td></tr>
            ))}</tbody>
          </table>
        </details>
      ) : null}
    </section>
  );
}

function KeysSection({ keys, error: loadError, reload }: { keys: SshKeyInfo[]; error: ApiError | null; reload: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError(null);
    try {
      const pass = text(f, 'passphrase');
      await fleetDeployApi.addSshKey({ name: text(f, 'name').trim(), private_key: text(f, 'private_key'), ...(pass ? { passphrase: pass } : {}) });
      form.reset();
      reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (k: SshKeyInfo) => {
    if (!window.confirm(`Delete the SSH key ${k.name}? Deploys naming it will be refused.`)) return;
    setActionError(null);
    try {
      await fleetDeployApi.deleteSshKey(k.id);
    } catch (err) {
      setActionError(err as ApiError);
    }
    reload();
  };
  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">SSH keys</h2>
      <p className="muted">Private keys are stored encrypted and never shown again; deploys name them (a path like <code>~/.ssh/id_ed25519</code> is only a name here).</p>
      <Problem error={loadError ?? actionError} />
      <div className="table-wrap">
        <table data-table="ssh-keys">
          <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Fingerprint</th><th scope="col">Private key</th><th scope="col" className="hide-sm">Added</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>{keys.map((k) => (
            <tr key={k.id} data-key={k.name}>
              <th scope="row">{k.name}</th><td>{k.key_type}</td><td><code>{k.fingerprint}</code></td><td><code>{k.private_key}</code>{k.has_passphrase ? <small className="hint"> (passphrase)</small> : null}</td>
              <td className="hide-sm">{time(k.created_at)}</td>
              <td><button type="button" className="danger" onClick={() => void remove(k)}>Delete</button></td>
            </tr>
          ))}</tbody>
        </table>
      </div>
      <form onSubmit={(e) => void submit(e)} className="form-grid" noValidate aria-label="Register an SSH key">
        {formError(error, KEY_FIELDS) ? <p className="problem" role="alert">{formError(error, KEY_FIELDS)}</p> : null}
        <TextField label="Key name" name="name" required placeholder="ops-deploy" error={errorFor(error, 'name')} />
        <TextAreaField label="Private key" name="private_key" required rows={6} spellCheck={false} placeholder="-----BEGIN OPENSSH PRIVATE KEY-----" error={errorFor(error, 'private_key')} />
        <TextField label="Passphrase" name="passphrase" type="password" autoComplete="off" error={errorFor(error, 'passphrase')} hint="Only if the key is encrypted." />
        <div className="form-actions"><button type="submit" className="primary">Register key</button></div>
      </form>
    </section>
  );
}

function AddAgentSection() {
  const [error, setError] = useState<unknown>(null);
  const [made, setMade] = useState<EnrolmentKeyCreated | null>(null);
  const list = useLoad(fleetDeployApi.enrolmentKeys);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    try {
      const lbl = text(f, 'label').trim();
      const ttl = Number(text(f, 'ttl_minutes') || '60') * 60;
      setMade(await fleetDeployApi.createEnrolmentKey({ ...(lbl ? { label: lbl } : {}), ttl_seconds: ttl }));
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const copy = () => void navigator.clipboard?.writeText(made!.install_command).catch(() => undefined);
  const ttlError = errorFor(error, 'ttl_seconds');
  return (
    <section className="card" aria-labelledby="add-title">
      <h2 id="add-title">Add an agent with the install one-liner</h2>
      <p className="muted">Makes a single-use key that expires; run the command as root on the host. It downloads the agent (checked by sha256), installs Node 24 if missing, writes the config and unit, enrols and starts the agent.</p>
      <form onSubmit={(e) => void submit(e)} className="form-grid" noValidate aria-label="Create an install command">
        {formError(error, ['label', 'ttl_seconds']) ? <p className="problem" role="alert">{formError(error, ['label', 'ttl_seconds'])}</p> : null}
        <TextField label="Label" name="label" placeholder="rack 7" error={errorFor(error, 'label')} />
        <TextField label="Valid for (minutes)" name="ttl_minutes" type="number" min={1} defaultValue={60} error={ttlError} />
        <div className="form-actions"><button type="submit" className="primary">Create install command</button></div>
      </form>
      {made ? (
        <div className="notice" role="status">
          <p>Run as root on the new host before {time(made.expires_at)} — it works once and is not shown again:</p>
          <pre className="secret" data-install-command><code>{made.install_command}</code></pre>
          <button type="button" onClick={copy}>Copy</button> <button type="button" onClick={() => setMade(null)}>Done</button>
        </div>
      ) : null}
      <Problem error={list.error} />
      {list.data && list.data.length > 0 ? (
        <div className="table-wrap">
          <table data-table="enrolment-keys">
            <thead><tr><th scope="col">Label</th><th scope="col">Key</th><th scope="col">State</th><th scope="col">Agent</th><th scope="col" className="hide-sm">Expires</th></tr></thead>
            <tbody>{list.data.map((k: EnrolmentKeyInfo) => (
              <tr key={k.id} data-enrolment-key={k.id} data-state={k.state}>
                <th scope="row">{k.label ?? '—'}</th><td><code>{k.prefix}…</code></td><td>{k.state}</td>
                <td>{k.agent_id ? <a href={`/nodes/${k.agent_id}`}>{k.agent_id.slice(0, 8)}</a> : '—'}</td><td className="hide-sm">{time(k.expires_at)}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

export function FleetDeployPage() {
  const { me } = useSession();
  const admin = me.role === 'admin';
  const keys = useLoad(fleetDeployApi.sshKeys, admin);
  if (me.role === 'viewer') {
    return (
      <section>
        <PageHeader title="Add agents" />
        <p>Adding agents needs the operator role (install command) or the admin role (deploy over SSH).</p>
      </section>
    );
  }
  return (
    <section>
      <PageHeader title="Add agents" />
      {admin ? <DeploySection keys={keys.data ?? []} /> : null}
      <AddAgentSection />
      {admin ? <KeysSection keys={keys.data ?? []} error={keys.error} reload={keys.reload} /> : null}
    </section>
  );
}
