// What the agent needs from a node firewall: one family behind one interface, so the command
// runner never knows which firewall applies its rules. nftables is the real one
// (nft-executor.ts); tests use a recording fake (testing/recording-firewall.ts). Both run
// firewall-executor.contract.ts.
import type { CommandParams, FirewallCommandType } from '@breakwater/contracts';

export class FirewallError extends Error {}

/** The commands a firewall applies (contracts' firewall intents; revoke and the rest are the runner's own). */
export type { FirewallCommandType };

export interface AppliedRule {
  /** How to take it back. */
  undo: string | { comment: string };
  ttlSeconds: number;
}

/** The agent's own TCP connection to the server: exempt from every rule, so no rate limit or port drop cuts it. */
export interface ManagementEndpoint {
  address: string;
  port: number;
}

export interface FirewallExecutorOptions {
  /** Connections that pass before any drop or limit. */
  management?: ManagementEndpoint[];
}

export interface FirewallExecutor {
  /** Replaces whatever an earlier run left with an empty rule set of the agent's own. */
  start(): Promise<void>;
  /** Removes the agent's rules. */
  stop(): Promise<void>;
  /** Checks and applies one command; refuses bad input with a FirewallError naming the field. */
  apply<T extends FirewallCommandType>(commandId: number, type: T, params: CommandParams<T>): Promise<AppliedRule>;
  /** Takes a rule back; a rule already gone (its TTL ended) is not an error. */
  remove(rule: AppliedRule): Promise<void>;
}

/** Made when the agent starts, once it knows the addresses its server connection uses. */
export type FirewallFactory = (o: FirewallExecutorOptions) => FirewallExecutor | Promise<FirewallExecutor>;
