// An agent's acknowledgement of a command: status, error, and for commands that run a process
// its exit code and capped output, stored on the command and written to the audit log. A
// refusal of a command that already has its outcome (a replay the agent caught: the same
// signed command offered again) is audited but never overwrites that outcome.
import type { FastifyRequest } from 'fastify';
import { OUTPUT_CAP_BYTES } from '@breakwater/contracts';
import { commands, type CommandRow, type NodeRow } from '@breakwater/db';
import { recordAudit, type AppContext } from '../../context.ts';

export interface AckResult {
  status: string;
  error: string | null;
  exit_code?: number | null | undefined;
  output?: string | null | undefined;
}

/** Keeps at most OUTPUT_CAP_BYTES of UTF-8 (the agent caps too; this holds for any agent). */
export function capOutput(s: string): string {
  const b = Buffer.from(s, 'utf8');
  return b.length <= OUTPUT_CAP_BYTES ? s : b.subarray(0, OUTPUT_CAP_BYTES).toString('utf8').replace(/\uFFFD$/, '');
}

export async function recordCommandAck(ctx: AppContext, req: FastifyRequest, node: NodeRow, cmd: CommandRow, r: AckResult): Promise<void> {
  const detail = { command_id: `cmd_${cmd.id}`, type: cmd.command_type, status: r.status, error: r.error, exit_code: r.exit_code ?? null };
  if (cmd.status !== 'pending' && r.status === 'rejected') {
    await recordAudit(ctx, req, 'agent.command.refused', node.uuid, { ...detail, kept: cmd.status });
    return;
  }
  const output = typeof r.output === 'string' ? capOutput(r.output) : r.output;
  await commands.ackCommand(ctx.db, node.id, cmd.id, r.status, r.error, ctx.clock.now(), { exit_code: r.exit_code, output });
  ctx.live.publish(node.workspace_id, { type: 'command.acked', command_id: `cmd_${cmd.id}`, node_id: node.uuid, status: r.status });
  await recordAudit(ctx, req, r.status === 'rejected' ? 'agent.command.refused' : 'agent.command.result', node.uuid, detail);
}
