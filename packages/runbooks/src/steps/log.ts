// log: a line in the execution's log (templated, rendered as plain text).
import { render } from '../template.ts';
import type { StepDef } from '../step.ts';
import { templateProblems } from './checks.ts';

export const logStep: StepDef<'log'> = {
  type: 'log',
  sideEffect: false,
  check: (c) => templateProblems({ message: c.message }),
  async run(ctx) {
    const text = render(ctx.config.message, ctx.vars, 'text');
    const level = ctx.config.level ?? 'info';
    ctx.log(level, text);
    return { status: 'succeeded', output: { level, message: text } };
  },
};
