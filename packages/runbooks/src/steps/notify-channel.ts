// notify_channel: a message through the alert outbox to one channel of the workspace (retried,
// recorded and suppressed by maintenance windows like every other notification).
import { render } from '../template.ts';
import type { StepDef } from '../step.ts';
import { templateProblems } from './checks.ts';

export const notifyChannelStep: StepDef<'notify_channel'> = {
  type: 'notify_channel',
  sideEffect: true,
  check: (c) => templateProblems({ message: c.message }),
  async run(ctx) {
    const text = ctx.config.message === undefined ? null : render(ctx.config.message, ctx.vars, 'text');
    const output = { channel_id: ctx.config.channel_id, message: text };
    if (ctx.dryRun) return { status: 'dry_run', output };
    const r = await ctx.effects.notify({ channelId: ctx.config.channel_id, message: text, stepIndex: ctx.index });
    return { status: 'succeeded', output: { ...output, delivery: r.delivery, queued: r.queued } };
  },
};
