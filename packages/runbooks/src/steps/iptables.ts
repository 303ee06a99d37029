// iptables: one of the agent's typed firewall commands (nftables or iptables on the node, chosen by
// the agent), with a TTL; the node removes it at its TTL or when the incident resolves, and undo
// revokes it. Params are rendered as single argv values, then checked against the command's own
// schema (contracts COMMAND_PARAMS): a template can only ever fill in an address, a port, a number.
import { COMMAND_PARAMS, ConfigError, parsePrefix, validateConfig, type FirewallCommandType } from '@breakwater/contracts';
import { SYNTHETIC_VARS } from '../synthetic.ts';
import { render, TemplateError, type TemplateVars } from '../template.ts';
import { message, type StepDef } from '../step.ts';

const INTEGER = /^-?\d{1,12}$/;

/** The rendered, checked params; a ConfigError/TemplateError names the param. */
export function ruleParams(rule: FirewallCommandType, params: Record<string, string | number>, vars: TemplateVars): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'ttl' || k === 'incident') throw new ConfigError('', [{ key: `params.${k}`, message: 'is set by the runbook (use the step\'s ttl)' }]);
    if (typeof v === 'number') { out[k] = v; continue; }
    try {
      const s = render(v, vars, 'argv');
      out[k] = INTEGER.test(s) ? Number(s) : s;
    } catch (err) {
      throw new ConfigError('', [{ key: `params.${k}`, message: (err as Error).message }]);
    }
  }
  // TypeBox's checker knows no `ip` format: the address and prefix are parsed here.
  for (const k of ['address', 'prefix'] as const) {
    const v = out[k];
    if (v === undefined) continue;
    const p = typeof v === 'string' ? parsePrefix(v) : null;
    if (!p || (k === 'address' && String(v).includes('/')) || (k === 'prefix' && !String(v).includes('/'))) {
      throw new ConfigError('', [{ key: `params.${k}`, message: `must be ${k === 'address' ? 'an IPv4 or IPv6 address' : 'a CIDR prefix'}, got ${JSON.stringify(String(v).slice(0, 60))}` }]);
    }
  }
  const { ttl: _ttl, ...checked } = validateConfig(COMMAND_PARAMS[rule], out, { rootKey: 'params' }) as Record<string, string | number>;
  return checked;
}

export const iptablesStep: StepDef<'iptables'> = {
  type: 'iptables',
  sideEffect: true,
  check(c) {
    try {
      ruleParams(c.rule, c.params, SYNTHETIC_VARS);
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems.map((p) => [p.key, p.message] as [string, string]);
      if (err instanceof TemplateError) return [['params', err.message]];
      throw err;
    }
  },
  async run(ctx) {
    let params: Record<string, string | number>;
    try {
      params = ruleParams(ctx.config.rule, ctx.config.params, ctx.vars);
    } catch (err) {
      return { status: 'failed', output: { rule: ctx.config.rule }, error: message(err) };
    }
    const ttl = ctx.config.ttl ?? 600;
    if (ctx.dryRun) return { status: 'dry_run', output: { rule: ctx.config.rule, params, ttl } };
    const r = await ctx.effects.firewall({ rule: ctx.config.rule, params, ttlSeconds: ttl });
    const output = { rule: ctx.config.rule, params, ttl, rule_id: r.ref, rule_status: r.status };
    if (r.status === 'refused' || r.status === 'failed') return { status: 'failed', output, error: r.error ?? `rule ${r.status}`, effect: { kind: 'firewall_rule', ref: r.ref } };
    return { status: 'succeeded', output, effect: { kind: 'firewall_rule', ref: r.ref } };
  },
  undo: (effect, effects) => effects.undoFirewall(effect.ref),
};
