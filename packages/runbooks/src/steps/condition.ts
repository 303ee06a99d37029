// condition: the steps after it run only when it holds; otherwise its `else` says what happens
// (stop the run, undo it, or skip the next skip_steps steps). It is not a failure either way.
import { evaluate } from '../condition.ts';
import type { StepDef } from '../step.ts';

export const conditionStep: StepDef<'condition'> = {
  type: 'condition',
  sideEffect: false,
  check: () => [],
  async run(ctx) {
    const needsPps = ctx.config.when.some((c) => c.field === 'incident.current_pps');
    const facts = needsPps ? { ...ctx.facts, 'incident.current_pps': await ctx.effects.currentPps() } : ctx.facts;
    const v = evaluate(ctx.config.when, ctx.config.match ?? 'all', facts, ctx.results, ctx.index);
    const otherwise = ctx.config.else ?? 'stop';
    const output = { holds: v.holds, clauses: v.clauses, ...(v.holds ? {} : { else: otherwise }) };
    if (v.holds) return { status: 'succeeded', output };
    const flow = otherwise === 'skip' ? { kind: 'skip' as const, steps: ctx.config.skip_steps ?? 1 } : { kind: otherwise };
    return { status: 'succeeded', output, flow };
  },
};
