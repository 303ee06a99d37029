// The step registry: one entry per step type of contracts' STEP_TYPES (a new type fails to
// compile until it has its entry here).
import type { StepType } from '@breakwater/contracts';
import type { StepDef } from './step.ts';
import { cloudflareUamStep } from './steps/cloudflare-uam.ts';
import { conditionStep } from './steps/condition.ts';
import { iptablesStep } from './steps/iptables.ts';
import { logStep } from './steps/log.ts';
import { notifyChannelStep } from './steps/notify-channel.ts';
import { scrubbingEnableStep } from './steps/scrubbing-enable.ts';
import { waitStep } from './steps/wait.ts';
import { webhookStep } from './steps/webhook.ts';

export const STEPS: { readonly [T in StepType]: StepDef<T> } = {
  wait: waitStep,
  iptables: iptablesStep,
  notify_channel: notifyChannelStep,
  webhook: webhookStep,
  cloudflare_uam: cloudflareUamStep,
  scrubbing_enable: scrubbingEnableStep,
  log: logStep,
  condition: conditionStep,
};

export const stepDef = <T extends StepType>(t: T): StepDef<T> => STEPS[t];
