// Save-time validation of a runbook's steps: each step's action_config against its type's schema
// (contracts STEP_CONFIGS, defaults filled in), then its own checks (templates, rendered rule
// params), and conditions may only look back. Every message names the step index and the key:
// "steps[2].action_config.seconds: must be an integer from 1 to 86400, got 0".
import { ConfigError, STEP_CONFIGS, validateConfig, type RunbookStep } from '@breakwater/contracts';
import { STEPS } from './registry.ts';

export interface StepProblem { key: string; message: string }

export class StepsError extends Error {
  readonly problems: readonly StepProblem[];
  constructor(problems: readonly StepProblem[]) {
    super(`${problems[0]!.key}: ${problems[0]!.message}`);
    this.problems = problems;
  }
}

/** The steps with their configs' defaults filled in; a StepsError naming every problem otherwise. */
export function validateSteps(steps: readonly RunbookStep[]): RunbookStep[] {
  const problems: StepProblem[] = [];
  const out = steps.map((s, i) => {
    const root = `steps[${i}].action_config`;
    let config: Record<string, unknown>;
    try {
      config = validateConfig(STEP_CONFIGS[s.action_type], s.action_config, { rootKey: root, itemKeys: true });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems.map((p) => ({ key: p.key, message: p.message })));
      return s;
    }
    for (const [key, message] of STEPS[s.action_type].check(config as never)) problems.push({ key: `${root}.${key}`, message });
    if (s.action_type === 'condition') {
      const when = (config.when as Array<{ field: string }>) ?? [];
      when.forEach((c, j) => {
        const m = /^steps\[(\d+)\]/.exec(c.field);
        if (m && Number(m[1]) >= i) problems.push({ key: `${root}.when[${j}].field`, message: `may only name an earlier step (steps[0] to steps[${i - 1}]), got ${c.field}` });
      });
    }
    return { ...s, action_config: config, on_failure: s.on_failure ?? 'stop' };
  });
  if (problems.length > 0) throw new StepsError(problems);
  return out;
}
