// One node's settings an operator changes: name, tags, location, priority, interface, the pps/bps
// thresholds the server and the agents read (blank: the learned baseline), and this node's
// overrides of the workspace's agent settings (attack cooldown, hold-down, captures; blank: the
// workspace's). Fields are drawn from the API's own schemas (NodeUpdateBody, NodeAgentSettings)
// through the shared schema fields; the API's message is shown at the field it names.
// Form name: "Settings of NAME"; fields by key with _ as space ("pps threshold", "tags",
// "attack cooldown"…); buttons "Save", "Close".
import { useMemo, useState, type FormEvent } from 'react';
import { NodeAgentSettings, NodeUpdateBody } from '@breakwater/contracts';
import { api } from '../api/client.ts';
import { url } from '../api/routes.ts';
import type { Node, NodeDetail } from '../api/types.ts';
import { errorFor, formError } from '../components/field.tsx';
import { Problem } from '../components/layout.tsx';
import { SchemaFields, textsOf, valuesOf, type ObjectSchema, type PropSchema } from '../components/schema-form.tsx';
import { useApi } from '../use-api.ts';

// What this form edits, in this order; `ip` and `os` come from the agent and stay out of it.
const KEYS = ['name', 'tags', 'pps_threshold', 'bps_threshold', 'location', 'priority', 'interface'] as const;
const NOTES: Partial<Record<(typeof KEYS)[number], string>> = {
  pps_threshold: 'Packets per second that count as an attack on this node; blank: the learned baseline',
  bps_threshold: 'Bits per second that count as an attack on this node; blank: the learned baseline',
  tags: 'Labels for routing alerts and filtering (letters, digits, _ . : / -)',
};

/** A nullable property (`X | null`) edited as X, blank meaning null. */
function unwrap(p: PropSchema): { prop: PropSchema; nullable: boolean } {
  const alts = p.anyOf?.filter((a) => a.type !== 'null');
  if (p.anyOf && alts && alts.length === 1 && alts.length < p.anyOf.length) return { prop: { ...alts[0]!, description: p.description ?? alts[0]!.description }, nullable: true };
  return { prop: p, nullable: false };
}

function nodeSchema(): { schema: ObjectSchema; nullable: Set<string> } {
  const source = NodeUpdateBody as unknown as { properties: Record<string, PropSchema> };
  const properties: Record<string, PropSchema> = {};
  const nullable = new Set<string>();
  for (const key of KEYS) {
    const { prop, nullable: n } = unwrap(source.properties[key]!);
    properties[key] = NOTES[key] ? { ...prop, description: NOTES[key] } : prop;
    if (n) nullable.add(key);
  }
  return { schema: { properties, required: [] }, nullable };
}

function agentSchema(): ObjectSchema {
  const source = NodeAgentSettings as unknown as { properties: Record<string, PropSchema> };
  return { properties: Object.fromEntries(Object.entries(source.properties).map(([k, p]) => [k, { ...p, description: `${p.description ?? ''}; blank: the workspace's` }])), required: [] };
}

export function NodeSettings({ node, onClose, onSaved }: { node: Node; onClose: () => void; onSaved: () => void }) {
  const detail = useApi(url('/api/v1/nodes/:id', { params: { id: node.uuid } }));
  return (
    <section className="card" aria-labelledby={`settings-${node.uuid}`}>
      <h2 id={`settings-${node.uuid}`}>Settings of {node.name}</h2>
      <Problem error={detail.error} />
      {detail.data ? <SettingsForm node={detail.data} onClose={onClose} onSaved={onSaved} /> : detail.error ? null : <p className="loading" role="status">Loading…</p>}
    </section>
  );
}

function SettingsForm({ node, onClose, onSaved }: { node: NodeDetail; onClose: () => void; onSaved: () => void }) {
  const { schema, nullable } = useMemo(nodeSchema, []);
  const agent = useMemo(agentSchema, []);
  const [initial, setInitial] = useState(() => textsOf(schema, node as unknown as Record<string, unknown>));
  const [initialAgent, setInitialAgent] = useState(() => textsOf(agent, node.agent_settings ?? {}));
  const [texts, setTexts] = useState<Record<string, string>>(initial);
  const [agentTexts, setAgentTexts] = useState<Record<string, string>>(initialAgent);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const own = valuesOf(schema, texts);
    const overrides = valuesOf(agent, agentTexts);
    const invalid = { ...own.invalid, ...Object.fromEntries(Object.entries(overrides.invalid).map(([k, m]) => [`agent_settings.${k}`, `agent_settings.${m}`])) };
    setLocal(invalid);
    if (Object.keys(invalid).length > 0) return;
    // Only what changed is sent; a cleared nullable key is sent as null, a cleared list as [].
    const body: Record<string, unknown> = {};
    for (const key of KEYS) {
      const now = (texts[key] ?? '').trim();
      if (now === (initial[key] ?? '').trim()) continue;
      body[key] = now !== '' ? own.value[key] : nullable.has(key) ? null : key === 'tags' ? [] : '';
    }
    // The overrides go whole (the API replaces them); none left: null.
    if (Object.keys(agent.properties ?? {}).some((k) => (agentTexts[k] ?? '').trim() !== (initialAgent[k] ?? '').trim())) {
      body.agent_settings = Object.keys(overrides.value).length > 0 ? overrides.value : null;
    }
    if (Object.keys(body).length === 0) {
      setLocal({ name: 'Nothing changed' });
      return;
    }
    try {
      const next = await api.patch(url('/api/v1/nodes/:id', { params: { id: node.uuid } }), body);
      setInitial(textsOf(schema, next));
      setInitialAgent(textsOf(agent, next.agent_settings ?? {}));
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  const top = formError(error, [...KEYS, 'agent_settings']);
  return (
    <form className="form-grid" aria-label={`Settings of ${node.name}`} onSubmit={(e) => void submit(e)} noValidate>
      {top ? <p className="problem" role="alert">{top}</p> : null}
      <SchemaFields schema={schema} texts={texts} name="node-" errorOf={(k) => local[k] ?? errorFor(error, k)} onChange={(k, v) => setTexts((t) => ({ ...t, [k]: v }))} />
      <fieldset className="subform">
        <legend>Agent settings for this node</legend>
        <div className="form-grid">
          <SchemaFields schema={agent} texts={agentTexts} name="agent_settings." errorOf={(k) => local[`agent_settings.${k}`] ?? errorFor(error, `agent_settings.${k}`)} onChange={(k, v) => setAgentTexts((t) => ({ ...t, [k]: v }))} />
        </div>
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary">Save</button>
        <button type="button" onClick={onClose}>Close</button>
        {saved ? <span role="status" className="muted">Saved</span> : null}
      </div>
    </form>
  );
}
