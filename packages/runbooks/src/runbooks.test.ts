// The step registry, templates and conditions without a server: bad configs are refused naming the
// step index and key; rendered values are escaped for their destination and cannot run code;
// conditions branch on incident facts and earlier steps' results.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STEP_TYPES } from '@breakwater/contracts';
import { evaluate } from './condition.ts';
import { STEPS } from './registry.ts';
import { SYNTHETIC_VARS } from './synthetic.ts';
import { render, TemplateError } from './template.ts';
import { StepsError, validateSteps } from './validate.ts';
import { webhookBody } from './steps/webhook.ts';
import { ruleParams } from './steps/iptables.ts';

const problemsOf = (steps: unknown[]) => {
  try {
    validateSteps(steps as never);
    return [];
  } catch (err) {
    assert.ok(err instanceof StepsError, String(err));
    return err.problems.map((p) => `${p.key}: ${p.message}`);
  }
};

test('every step type has a registry entry', () => {
  assert.deepEqual(Object.keys(STEPS).sort(), [...STEP_TYPES].sort());
});

test('bad step configs are refused with the step index and key named', () => {
  const p = problemsOf([
    { action_type: 'log', action_config: { message: 'ok {{incident.target}}' } },
    { action_type: 'wait', action_config: { seconds: 0 } },
    { action_type: 'iptables', action_config: { rule: 'block_source', params: { address: '{{incident.nope}}' } } },
    { action_type: 'iptables', action_config: { rule: 'drop_port', params: { protocol: 'tcp', port: 70000 } } },
    { action_type: 'webhook', action_config: { url: 'ftp://x.example' } },
    { action_type: 'condition', action_config: { when: [{ field: 'steps[7].status', op: 'eq', value: 'succeeded' }] } },
    { action_type: 'notify_channel', action_config: { channel_id: 'c', extra: 1 } },
  ]);
  assert.ok(p.some((m) => m.startsWith('steps[1].action_config.seconds: must be an integer')), p.join('\n'));
  assert.ok(p.some((m) => m.startsWith('steps[2].action_config.params.address: unknown variable {{incident.nope}}')), p.join('\n'));
  assert.ok(p.some((m) => m.startsWith('steps[3].action_config.params.port:')), p.join('\n'));
  assert.ok(p.some((m) => m.startsWith('steps[4].action_config.url:')), p.join('\n'));
  assert.ok(p.some((m) => m.startsWith('steps[5].action_config.when[0].field: may only name an earlier step')), p.join('\n'));
  assert.ok(p.some((m) => m.startsWith('steps[6].action_config.extra: unknown key')), p.join('\n'));
  assert.ok(!p.some((m) => m.startsWith('steps[0]')), 'a good step is not named');
});

test('a good runbook validates with its defaults filled in', () => {
  const [w, f] = validateSteps([
    { action_type: 'webhook', action_config: { url: 'https://hooks.example/x?t={{incident.target}}' } },
    { action_type: 'iptables', action_config: { rule: 'block_source', params: { address: '{{incident.top_source}}' } }, on_failure: 'continue' },
  ]);
  assert.equal(w!.on_failure, 'stop');
  assert.equal((w!.action_config as any).retries, 2);
  assert.equal((f!.action_config as any).ttl, 600);
});

test('templates: values escaped per destination, no expressions', () => {
  const vars = { ...SYNTHETIC_VARS, 'node.name': 'a"b\\c&d=e/f\n\u0007x', 'incident.target': '-oProxyCommand=evil' };
  assert.equal(render('n={{node.name}}', vars, 'url'), `n=${encodeURIComponent(vars['node.name'])}`);
  assert.equal(JSON.parse(`"${render('{{node.name}}', vars, 'json')}"`), vars['node.name']);
  assert.equal(render('{{node.name}}', vars, 'text'), 'a"b\\c&d=e/f\nx');
  assert.throws(() => render('{{incident.target}}', vars, 'argv'), TemplateError);
  assert.throws(() => render('{{node.name}}', vars, 'argv'), /line break/);
  assert.throws(() => render('{{ process.exit(1) }}', vars, 'text'), /unknown variable/);
  assert.throws(() => render('{{incident.target | upper}}', vars, 'text'), /unknown variable/);
  assert.throws(() => render('{{incident.target', vars, 'text'), /unclosed/);
  assert.equal(render('{{ incident.peak_pps }} pps', vars, 'text'), '250000 pps');
  const body = JSON.parse(webhookBody({ name: '{{node.name}}', t: 'x {{incident.target}}' }, vars));
  assert.deepEqual(body, { name: vars['node.name'], t: `x ${vars['incident.target']}` });
});

test('iptables params are rendered as single values and checked by the command schema', () => {
  assert.deepEqual(ruleParams('block_source', { address: '{{incident.top_source}}' }, SYNTHETIC_VARS), { address: '198.51.100.7' });
  assert.deepEqual(ruleParams('drop_port', { protocol: 'udp', port: '{{incident.top_port}}' }, SYNTHETIC_VARS), { protocol: 'udp', port: 53 });
  assert.throws(() => ruleParams('block_source', { address: '{{node.name}}' }, SYNTHETIC_VARS), /params.address/);
  assert.throws(() => ruleParams('block_source', { address: '1.2.3.4; rm -rf /' }, SYNTHETIC_VARS), /params.address/);
});

test('conditions: incident fields and earlier results', () => {
  const facts = { 'incident.family': 'udp_flood', 'incident.current_pps': 120_000, 'node.tags': ['edge'] };
  const results = [{ status: 'succeeded' as const, output: { status: 200 } }, { status: 'failed' as const, output: {} }];
  assert.equal(evaluate([{ field: 'incident.current_pps', op: 'gt', value: 100_000 }], 'all', facts, results, 2).holds, true);
  assert.equal(evaluate([{ field: 'incident.current_pps', op: 'gt', value: 200_000 }], 'all', facts, results, 2).holds, false);
  assert.equal(evaluate([{ field: 'incident.family', op: 'in', value: ['syn_flood', 'udp_flood'] }], 'all', facts, results, 2).holds, true);
  assert.equal(evaluate([{ field: 'steps[1].status', op: 'eq', value: 'failed' }, { field: 'steps[0].output.status', op: 'eq', value: 200 }], 'all', facts, results, 2).holds, true);
  assert.equal(evaluate([{ field: 'node.tags', op: 'contains', value: 'edge' }], 'all', facts, results, 2).holds, true);
  assert.equal(evaluate([{ field: 'incident.peak_pps', op: 'gt', value: 1 }], 'all', facts, results, 2).holds, false, 'a missing field never satisfies gt');
  assert.equal(evaluate([{ field: 'steps[1].status', op: 'eq', value: 'failed' }], 'all', facts, results, 1).holds, false, 'no looking ahead');
  assert.equal(evaluate([{ field: 'incident.family', op: 'eq', value: 'x' }, { field: 'incident.family', op: 'eq', value: 'udp_flood' }], 'any', facts, results, 0).holds, true);
});
