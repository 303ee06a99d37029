import type { Db } from '../database.ts';

export interface AuditEntry {
  workspaceId: string;
  actor: string;
  action: string;
  target?: string | null;
  detail?: unknown;
  requestId?: string | null;
  at: number;
}

// Append-only by construction: this module offers no update and no delete.
export async function appendAudit(db: Db, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      workspace_id: e.workspaceId,
      actor: e.actor,
      action: e.action,
      target: e.target ?? null,
      detail: JSON.stringify(e.detail ?? {}),
      request_id: e.requestId ?? null,
      created_at: e.at,
    })
    .execute();
}

export async function listAudit(db: Db, workspaceId: string, limit: number, offset: number) {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}
