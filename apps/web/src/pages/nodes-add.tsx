// Adding a node (admins: deploy tokens are theirs to make): a deploy token of scope `register` made
// for this node, and the enrol command the README documents, with this server's address and the
// token filled in, to copy and run as root on the machine. The panel then waits for the node to
// enrol and offers to revoke the token, which is needed no more. Form name: "Add a node"; fields
// "Node name", "Interface", "IP address", "Config file"; buttons "Create enrolment command", "Copy".
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, request } from '../api/client.ts';
import { url } from '../api/routes.ts';
import type { Node } from '../api/types.ts';
import { TextField, errorFor, formError, text } from '../components/field.tsx';
import { Link } from '../router.ts';

const DEFAULT_CONFIG = '/etc/breakwater/agent.json';

/** A word as sh reads it: as is when it holds nothing special, else in single quotes. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_.,:/@=+%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const loopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127\./.test(host);

export interface EnrolInput { server: string; token: string; name: string; iface: string; ip: string; config: string }

/** `breakwater agent enroll` as README's "Installing the agent on a server" runs it from a checkout. */
export function enrolCommand(o: EnrolInput): string {
  const u = new URL(o.server);
  const words = ['./bin/breakwater.mjs', 'agent', 'enroll', '--server', o.server, '--deploy-token', o.token, '--name', o.name, '--interface', o.iface];
  if (o.ip) words.push('--ip', o.ip);
  words.push('--config', o.config);
  // The agent refuses plain http to anything but loopback unless told (the node key would cross in clear).
  if (u.protocol === 'http:' && !loopback(u.hostname)) words.push('--allow-insecure-http');
  return words.map(shellWord).join(' ');
}

interface Made extends EnrolInput { tokenId: string; command: string; run: string }

export function NodeAdd({ onClose, onEnrolled }: { onClose: () => void; onEnrolled: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [made, setMade] = useState<Made | null>(null);
  const [enrolled, setEnrolled] = useState<Node | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [revoked, setRevoked] = useState<ApiError | true | null>(null);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const input = { name: text(f, 'name').trim(), iface: text(f, 'interface').trim() || 'eth0', ip: text(f, 'ip').trim(), config: text(f, 'config').trim() || DEFAULT_CONFIG };
    setError(null);
    if (!input.name) return setError(new ApiError(400, 'bad_request', 'name: a node needs a name (1 to 100 characters)'));
    if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(input.iface)) return setError(new ApiError(400, 'bad_request', 'interface: 1 to 15 letters, digits or _ . : @ - (e.g. eth0)'));
    if (!input.config.startsWith('/')) return setError(new ApiError(400, 'bad_request', 'config: an absolute path on the node, e.g. /etc/breakwater/agent.json'));
    try {
      const t = await api.post('/api/dash/tokens', { name: `enrol ${input.name}`.slice(0, 100), kind: 'deploy', scope: 'register' });
      const full = { ...input, server: location.origin, token: t.token };
      setMade({ ...full, tokenId: t.id, command: enrolCommand(full), run: `./bin/breakwater.mjs agent run --config ${shellWord(input.config)}` });
      setEnrolled(null);
      setRevoked(null);
    } catch (err) {
      setError(err);
    }
  };

  // Waits for the node to register under its name (every 2 s while the panel is open).
  useEffect(() => {
    if (!made || enrolled) return;
    let live = true;
    const look = async () => {
      const page = await request<Node[]>('GET', url('/api/v1/nodes', { query: { q: made.name, limit: 100 } })).catch(() => null);
      const n = page?.data.find((x) => x.name === made.name);
      if (live && n) {
        setEnrolled(n);
        onEnrolled();
      }
    };
    void look();
    const t = setInterval(() => void look(), 2000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [made, enrolled, onEnrolled]);

  const copy = async (what: string, value: string) => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(what);
    } catch {
      setCopied(null);
      // No clipboard (an insecure origin): select the text so Ctrl+C takes it.
      const el = document.querySelector(`[data-copy="${what}"]`);
      if (el) window.getSelection()?.selectAllChildren(el);
    }
  };
  const revoke = async () => {
    if (!made) return;
    try {
      await api.del(url('/api/dash/tokens/:id', { params: { id: made.tokenId } }));
      setRevoked(true);
    } catch (err) {
      setRevoked(err instanceof ApiError ? err : new ApiError(0, 'error', String(err)));
    }
  };

  const top = formError(error, ['name', 'interface', 'ip', 'config']);
  return (
    <section className="card" aria-labelledby="add-node-title">
      <h2 id="add-node-title">Add a node</h2>
      <p className="muted">Run the command below as root on the server to protect, in a Breakwater checkout after <code>./bw setup</code>. For a machine without the checkout, use the install one-liner on <Link to="/fleet/deploy">Add agents</Link>.</p>
      <form className="form-grid" aria-label="Add a node" onSubmit={(e) => void submit(e)} noValidate>
        {top ? <p className="problem" role="alert">{top}</p> : null}
        <TextField label="Node name" name="name" required maxLength={100} error={errorFor(error, 'name', 'name')} hint="How the node is listed, e.g. web-prod-1" />
        <TextField label="Interface" name="interface" defaultValue="eth0" error={errorFor(error, 'interface')} hint="The network interface the agent watches" />
        <TextField label="IP address" name="ip" error={errorFor(error, 'ip')} hint="optional · default: the interface's address" />
        <TextField label="Config file" name="config" defaultValue={DEFAULT_CONFIG} error={errorFor(error, 'config')} hint="Where the agent's config (with its node key, mode 0600) is written" />
        <div className="form-actions">
          <button type="submit" className="primary">Create enrolment command</button>
          <button type="button" onClick={onClose}>Close</button>
        </div>
      </form>
      {made ? (
        <div className="notice" data-enrol={made.name}>
          <p>A deploy token <strong>enrol {made.name}</strong> (registers nodes, nothing else) was made for this command. It is shown only now.</p>
          <p><label htmlFor="enrol-command">1. Enrol the node</label></p>
          <pre className="command-output" id="enrol-command" data-copy="enrol" data-enrol-command tabIndex={0}>{made.command}</pre>
          <button type="button" onClick={() => void copy('enrol', made.command)} aria-label="Copy the enrol command">Copy</button>
          <p><label htmlFor="run-command">2. Start the agent (or install <code>deploy/systemd/breakwater-agent.service</code> and <code>systemctl enable --now breakwater-agent</code>)</label></p>
          <pre className="command-output" id="run-command" data-copy="run" data-run-command tabIndex={0}>{made.run}</pre>
          <button type="button" onClick={() => void copy('run', made.run)} aria-label="Copy the run command">Copy</button>
          {copied ? <span role="status" className="muted"> Copied.</span> : null}
          {enrolled ? (
            <p role="status" data-enrolled={enrolled.uuid}>
              <strong>{enrolled.name}</strong> enrolled: <Link to={`/nodes/${enrolled.uuid}`}>open its page</Link>.{' '}
              {revoked === true ? <span data-token-revoked>Deploy token revoked.</span> : <button type="button" onClick={() => void revoke()}>Revoke the deploy token</button>}
              {revoked instanceof ApiError ? <span className="problem" role="alert"> {revoked.message}</span> : null}
            </p>
          ) : <p className="muted" role="status">Waiting for {made.name} to enrol…</p>}
        </div>
      ) : null}
    </section>
  );
}
