// A rule an operator asks for by hand (POST /mitigation/rules): checked against the adapter's
// capabilities and the escalation policy's TTL cap, then stored and announced like any other.
import type { RuleBody, RuleSpec } from '@breakwater/contracts';
import { fromJson, mitigation as repo, type RuleRow } from '@breakwater/db';
import { canonicalPrefix } from '@breakwater/contracts';
import type { AppContext } from '../../context.ts';
import { badRequest, notFound } from '../../errors.ts';
import { readPolicy } from './policy.ts';

export async function createManualRule(ctx: AppContext, workspaceId: string, actor: string, b: RuleBody): Promise<{ rule: RuleRow; target: string; ttl: number }> {
  const target = canonicalPrefix(b.target_ip);
  if (!target) throw badRequest('target_ip: must be an IPv4 or IPv6 address or CIDR prefix');
  const adapter = await repo.getAdapter(ctx.db, workspaceId, b.adapter_id);
  if (!adapter) throw notFound('Adapter');
  const caps = fromJson<string[]>(adapter.capabilities, []);
  if (!caps.includes(b.intent_type)) throw badRequest(`intent_type: adapter ${adapter.name} carries ${caps.join(', ') || 'nothing'}, not ${b.intent_type}`);
  if (b.intent_type !== 'flowspec' && (b.match !== undefined || b.action !== undefined)) throw badRequest('match/action: only for intent_type flowspec');
  if (b.intent_type !== 'blackhole' && (b.communities !== undefined || b.next_hop !== undefined)) throw badRequest('communities/next_hop: only for intent_type blackhole');
  if (b.match?.source !== undefined && !canonicalPrefix(b.match.source)) throw badRequest('match.source: must be an IP address or CIDR prefix');
  const policy = readPolicy(await repo.getPolicy(ctx.db, workspaceId));
  const ttl = b.ttl === undefined ? (typeof policy.ttl === 'number' ? policy.ttl : 3600) : b.ttl === 0 ? policy.max_rule_ttl : b.ttl;
  if (ttl > policy.max_rule_ttl) throw badRequest(`ttl: at most ${policy.max_rule_ttl} seconds (the escalation policy's max_rule_ttl)`);
  const spec: RuleSpec = b.intent_type === 'blackhole'
    ? { kind: 'blackhole', prefix: target, next_hop: b.next_hop ?? null, communities: b.communities ?? [...policy.blackhole_communities] }
    : b.intent_type === 'flowspec'
      ? { kind: 'flowspec', match: { ...b.match, destination: target, ...(b.match?.source ? { source: canonicalPrefix(b.match.source)! } : {}) }, action: b.action ?? { type: 'discard' } }
      : { kind: 'scrubbing', prefix: target };
  const rule = await ctx.mitigation.create({
    workspaceId, adapter, node: null, incident: null, intent: b.intent_type, spec, owner: actor,
    reason: b.reason?.trim() || `manual ${b.intent_type} by ${actor}`, ttlSeconds: ttl, tier: null, dryRun: b.dry_run ?? policy.dry_run,
  });
  return { rule, target, ttl };
}
