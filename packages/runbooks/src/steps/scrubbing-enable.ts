// scrubbing_enable: a diversion through a scrubbing integration, owned by the execution; undo
// withdraws it (the provider's flap guard may hold the withdraw a while).
import type { StepDef } from '../step.ts';

export const scrubbingEnableStep: StepDef<'scrubbing_enable'> = {
  type: 'scrubbing_enable',
  sideEffect: true,
  check: () => [],
  async run(ctx) {
    const output = { integration_id: ctx.config.integration_id, ttl: ctx.config.ttl ?? null };
    if (ctx.dryRun) return { status: 'dry_run', output };
    const r = await ctx.effects.scrubbing({ integrationId: ctx.config.integration_id, ttlSeconds: ctx.config.ttl, uam: false });
    const out = { ...output, diversion_id: r.ref, state: r.state };
    if (r.error || r.state === 'refused' || r.state === 'failed') return { status: 'failed', output: out, error: r.error ?? `diversion ${r.state}`, effect: { kind: 'scrubbing', ref: ctx.config.integration_id } };
    return { status: 'succeeded', output: out, effect: { kind: 'scrubbing', ref: ctx.config.integration_id } };
  },
  undo: (effect, effects) => effects.undoScrubbing(effect.ref),
};
