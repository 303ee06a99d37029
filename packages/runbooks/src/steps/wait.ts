// wait: the run pauses for `seconds`. The end time is stored on first run, so after a restart the
// wait continues for its remaining time only (on the injected clock).
import type { StepDef } from '../step.ts';

export const waitStep: StepDef<'wait'> = {
  type: 'wait',
  sideEffect: false,
  check: () => [],
  async run(ctx) {
    const stored = ctx.previous?.until;
    const until = typeof stored === 'number' ? stored : ctx.now() + ctx.config.seconds * 1000;
    const output = { seconds: ctx.config.seconds, until };
    if (ctx.now() >= until) return { status: 'succeeded', output };
    return { status: 'waiting', output, resumeAt: until };
  },
};
