// Two test hosts in network namespaces made for one test and torn down after it:
// traffic never leaves them (no default route, addresses from 198.18.0.0/15).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface TestNet {
  attacker: string;
  victim: string;
  attackerIf: string;
  victimIf: string;
  attackerIp: string;
  victimIp: string;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export async function withNamespaces<T>(fn: (n: TestNet) => Promise<T>): Promise<T> {
  const id = randomBytes(3).toString('hex');
  const third = 1 + (parseInt(id.slice(0, 2), 16) % 250);
  const n: TestNet = {
    attacker: `bwa-${id}`, victim: `bwv-${id}`, attackerIf: `bwa${id}`, victimIf: `bwv${id}`,
    attackerIp: `198.18.${third}.1`, victimIp: `198.18.${third}.5`,
  };
  try {
    ip('netns', 'add', n.attacker);
    ip('netns', 'add', n.victim);
    ip('link', 'add', n.attackerIf, 'type', 'veth', 'peer', 'name', n.victimIf);
    ip('link', 'set', n.attackerIf, 'netns', n.attacker);
    ip('link', 'set', n.victimIf, 'netns', n.victim);
    ip('-n', n.attacker, 'addr', 'add', `${n.attackerIp}/24`, 'dev', n.attackerIf);
    ip('-n', n.victim, 'addr', 'add', `${n.victimIp}/24`, 'dev', n.victimIf);
    for (const [ns, dev] of [[n.attacker, n.attackerIf], [n.victim, n.victimIf]] as const) {
      ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    return await fn(n);
  } finally {
    for (const ns of [n.attacker, n.victim]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
  }
}
