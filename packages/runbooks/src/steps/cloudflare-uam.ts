// cloudflare_uam: the zone of a cloudflare_waf integration goes to Under Attack Mode through
// Cloudflare's security-level API (the scrubbing provider does the calls and remembers the level
// before); undo puts the previous level back.
import type { StepDef } from '../step.ts';

export const cloudflareUamStep: StepDef<'cloudflare_uam'> = {
  type: 'cloudflare_uam',
  sideEffect: true,
  check: () => [],
  async run(ctx) {
    const output = { integration_id: ctx.config.integration_id, security_level: 'under_attack' };
    if (ctx.dryRun) return { status: 'dry_run', output };
    const r = await ctx.effects.scrubbing({ integrationId: ctx.config.integration_id, uam: true });
    const out = { ...output, diversion_id: r.ref, state: r.state };
    if (r.error || r.state === 'refused' || r.state === 'failed') return { status: 'failed', output: out, error: r.error ?? `security level change ${r.state}`, effect: { kind: 'cloudflare_uam', ref: ctx.config.integration_id } };
    return { status: 'succeeded', output: out, effect: { kind: 'cloudflare_uam', ref: ctx.config.integration_id } };
  },
  undo: (effect, effects) => effects.undoScrubbing(effect.ref),
};
