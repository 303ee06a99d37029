// Putting agents on hosts (fleet-agents-api.md: deploy and install script): SSH keys registered
// once and named in deploys, known host keys, single-use enrolment keys for the install
// one-liner, and deploy jobs whose steps the API and the dashboard show.
import { Type, type Static } from 'typebox';
import { SafeText } from './common.ts';

/** An SSH host key fingerprint as OpenSSH prints it: SHA256 of the key blob, base64 without padding. */
export const SSH_FINGERPRINT_PATTERN = '^SHA256:[A-Za-z0-9+/]{43}$';
const Fingerprint = Type.String({ pattern: SSH_FINGERPRINT_PATTERN, description: 'SHA256:<43 base64 characters>, as `ssh-keygen -lf` prints it' });

/** A registered key's name: what a deploy's `ssh_key` says (`~/.ssh/id_ed25519` is read as that name, never as a file). */
export const SshKeyName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9~][A-Za-z0-9._~/@+-]*$', description: 'letters, digits and . _ ~ / @ + -' });

export const SshKeyCreateBody = Type.Object({
  name: SshKeyName,
  /** OpenSSH or PEM private key text; stored encrypted, never returned. */
  private_key: Type.String({ minLength: 64, maxLength: 16_384, writeOnly: true }),
  passphrase: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, writeOnly: true })),
}, { additionalProperties: false });
export type SshKeyCreateBody = Static<typeof SshKeyCreateBody>;

export const SshKeyInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  key_type: Type.String({ description: 'ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa…' }),
  fingerprint: Type.String({ description: 'SHA256 fingerprint of the public half' }),
  public_key: Type.String({ description: 'The public half in authorized_keys form' }),
  private_key: Type.String({ description: 'Always masked' }),
  has_passphrase: Type.Boolean(),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
});
export type SshKeyInfo = Static<typeof SshKeyInfo>;

export const HOST_KEY_TRUST = ['pinned', 'tofu', 'known'] as const;
export type HostKeyTrust = (typeof HOST_KEY_TRUST)[number];

export const AgentDeployBody = Type.Object({
  host: Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:_-]+$', description: 'Address or DNS name of the host' }),
  ssh_user: Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z_][a-z0-9_.-]*$', default: 'root' }),
  ssh_port: Type.Integer({ minimum: 1, maximum: 65535, default: 22 }),
  /** The name of a registered key (POST /api/agents/ssh-keys). */
  ssh_key: SshKeyName,
  label: Type.Optional(SafeText({ minLength: 1, maxLength: 100 })),
  /** The host key the host must present. */
  host_key_fingerprint: Type.Optional(Fingerprint),
  /** Without a fingerprint (and no key recorded for this host yet): accept and record the key the host presents. */
  trust_on_first_use: Type.Optional(Type.Boolean({ default: false })),
  /** Network interface the agent watches (default: the host's default route's). */
  interface: Type.Optional(Type.String({ minLength: 1, maxLength: 15, pattern: '^[A-Za-z0-9_.:@-]+$' })),
  tags: Type.Optional(Type.Array(SafeText({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
  /** A host that already has an agent config is refused unless this is true (it is then enrolled again as a new agent). */
  replace_existing: Type.Optional(Type.Boolean({ default: false })),
}, { additionalProperties: false });
export type AgentDeployBody = Static<typeof AgentDeployBody>;

/** The reference's reply, plus the job that shows how it went. */
export const AgentDeployed = Type.Object({
  agent_id: Type.String(),
  key: Type.String({ description: 'The new agent\'s node key (shown once)' }),
  status: Type.Literal('deployed'),
  job_id: Type.String(),
});

export const DEPLOY_STEPS = ['connect', 'host_key', 'upload', 'enrol', 'install', 'start', 'online'] as const;
export type DeployStepName = (typeof DEPLOY_STEPS)[number];
export const DEPLOY_STEP_STATES = ['pending', 'running', 'done', 'failed', 'skipped'] as const;
export type DeployStepState = (typeof DEPLOY_STEP_STATES)[number];
export const DEPLOY_JOB_STATUSES = ['running', 'deployed', 'failed'] as const;
export type DeployJobStatus = (typeof DEPLOY_JOB_STATUSES)[number];

export const DeployStep = Type.Object({
  name: Type.Enum([...DEPLOY_STEPS]),
  state: Type.Enum([...DEPLOY_STEP_STATES]),
  detail: Type.Union([Type.String(), Type.Null()]),
  at: Type.Union([Type.String(), Type.Null()]),
});
export type DeployStep = Static<typeof DeployStep>;

export const DeployJob = Type.Object({
  id: Type.String(),
  host: Type.String(),
  ssh_port: Type.Integer(),
  ssh_user: Type.String(),
  ssh_key: Type.String(),
  label: Type.Union([Type.String(), Type.Null()]),
  host_key_fingerprint: Type.Union([Type.String(), Type.Null()]),
  host_key_trust: Type.Union([Type.Enum([...HOST_KEY_TRUST]), Type.Null()]),
  status: Type.Enum([...DEPLOY_JOB_STATUSES]),
  steps: Type.Array(DeployStep),
  error: Type.Union([Type.String(), Type.Null()]),
  agent_id: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  finished_at: Type.Union([Type.String(), Type.Null()]),
});
export type DeployJob = Static<typeof DeployJob>;

export const KnownHost = Type.Object({
  host: Type.String(),
  port: Type.Integer(),
  fingerprint: Type.String(),
  key_type: Type.String(),
  trust: Type.Enum([...HOST_KEY_TRUST]),
  recorded_by: Type.Union([Type.String(), Type.Null()]),
  first_seen_at: Type.String(),
});

export const EnrolmentKeyCreateBody = Type.Object({
  label: Type.Optional(SafeText({ minLength: 1, maxLength: 100 })),
  /** How long the key may be used (default one hour). */
  ttl_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 86_400, default: 3600 })),
  tags: Type.Optional(Type.Array(SafeText({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
}, { additionalProperties: false });
export type EnrolmentKeyCreateBody = Static<typeof EnrolmentKeyCreateBody>;

export const ENROLMENT_KEY_STATES = ['unused', 'used', 'enrolled', 'expired'] as const;

export const EnrolmentKeyInfo = Type.Object({
  id: Type.String(),
  label: Type.Union([Type.String(), Type.Null()]),
  prefix: Type.String({ description: 'The first characters of the key, to tell keys apart' }),
  state: Type.Enum([...ENROLMENT_KEY_STATES]),
  agent_id: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  expires_at: Type.String(),
  used_at: Type.Union([Type.String(), Type.Null()]),
});
export type EnrolmentKeyInfo = Static<typeof EnrolmentKeyInfo>;

/** The key itself is shown once, in this reply, inside the one-liner. */
export const EnrolmentKeyCreated = Type.Intersect([EnrolmentKeyInfo, Type.Object({
  key: Type.String(),
  install_command: Type.String({ description: 'Run as root on the host: fetches the script with this key and pipes it to sh' }),
})]);
export type EnrolmentKeyCreated = Static<typeof EnrolmentKeyCreated>;

export const InstallScriptQuery = Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) });

/** What the install script sends when it enrols (with its install ticket). */
export const AgentEnrolBody = Type.Object({
  hostname: SafeText({ minLength: 1, maxLength: 100 }),
  interface: Type.String({ minLength: 1, maxLength: 15, pattern: '^[A-Za-z0-9_.:@-]+$' }),
  ip: Type.Optional(Type.String({ format: 'ip', maxLength: 45 })),
  os: Type.Optional(SafeText({ maxLength: 100 })),
}, { additionalProperties: false });
export type AgentEnrolBody = Static<typeof AgentEnrolBody>;

/** The header that carries an install ticket (from the script the enrolment key fetched). */
export const INSTALL_TICKET_HEADER = 'x-install-ticket';
export const INSTALL_BUNDLE_PARTS = ['agent', 'runtime'] as const;
export type InstallBundlePart = (typeof INSTALL_BUNDLE_PARTS)[number];
