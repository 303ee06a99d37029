// First start: one workspace, its admin, a deploy token and an API token — created
// once per database, their secrets returned once and never stored in the clear.
import { randomUUID } from 'node:crypto';
import { tokens, users, workspaces, type Db, type Role, type TokenKind, type TokenScope } from '@breakwater/db';
import type { Clock } from '../../clock.ts';
import { conflict } from '../../errors.ts';
import { digest, displayPrefix, hashPassword, newPassword, newSecret } from '../../auth/credentials.ts';

export interface BootstrapResult {
  workspace_id: string;
  workspace_name: string;
  admin_email: string;
  admin_password: string;
  deploy_token: string;
  /** register: the deploy token only registers nodes; operator: it also acts as an operator on REST v1. */
  deploy_token_scope: TokenScope;
  api_token: string;
}

export interface BootstrapOptions {
  workspaceName?: string;
  adminEmail?: string;
  nodeQuota: number;
  rateLimitPerMinute: number;
  /** The first deploy token is copied onto every machine being enrolled: it registers nodes only unless asked otherwise. */
  deployTokenScope?: TokenScope;
}

export async function createToken(
  db: Db, clock: Clock, workspaceId: string, kind: TokenKind, name: string, role: Role, createdBy: string | null,
  /** Deploy tokens only; they register nodes and nothing else unless `operator` is asked for. */
  scope: TokenScope = 'register',
): Promise<{ id: string; secret: string }> {
  const secret = newSecret(kind);
  const id = randomUUID();
  await tokens.insertToken(db, {
    id, workspace_id: workspaceId, kind, name, role, scope: kind === 'deploy' ? scope : null, digest: digest(secret), prefix: displayPrefix(secret),
    created_by: createdBy, created_at: clock.now(), last_used_at: null, revoked_at: null,
  });
  return { id, secret };
}

export async function isInitialised(db: Db): Promise<boolean> {
  return (await workspaces.countWorkspaces(db)) > 0;
}

export async function bootstrap(db: Db, clock: Clock, o: BootstrapOptions): Promise<BootstrapResult> {
  if (await isInitialised(db)) throw conflict('This database is already initialised; admin init runs once', 'already_initialised');
  const now = clock.now();
  const workspaceId = randomUUID();
  const password = newPassword();
  const email = (o.adminEmail ?? 'admin@localhost').toLowerCase();
  const name = o.workspaceName ?? 'Default workspace';
  await workspaces.insertWorkspace(db, {
    id: workspaceId, name, plan: 'self-hosted', node_quota: o.nodeQuota, rate_limit_per_min: o.rateLimitPerMinute, settings: '{}', created_at: now,
  });
  await users.insertUser(db, {
    id: randomUUID(), workspace_id: workspaceId, email, name: 'Administrator', role: 'admin',
    password_hash: await hashPassword(password), created_at: now, disabled_at: null,
  });
  const deployScope = o.deployTokenScope ?? 'register';
  const deploy = await createToken(db, clock, workspaceId, 'deploy', 'default deploy token', 'operator', 'bootstrap', deployScope);
  const api = await createToken(db, clock, workspaceId, 'api', 'default admin API token', 'admin', 'bootstrap');
  return { workspace_id: workspaceId, workspace_name: name, admin_email: email, admin_password: password, deploy_token: deploy.secret, deploy_token_scope: deployScope, api_token: api.secret };
}
