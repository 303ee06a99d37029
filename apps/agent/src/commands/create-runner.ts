// The command side of an agent built from its config: the verifier with the pinned key (or
// pinning on first use), the nonces kept in the spool directory, the capture control and the
// executors' local settings. The agent uses it; tests build the same runner around a config.
import { join } from 'node:path';
import type { AgentClient } from '@breakwater/uplink';
import type { AgentConfig } from '../agent-config.ts';
import type { FirewallExecutor } from '../firewall/firewall-executor.ts';
import type { ManagementPath } from '../firewall/management-path.ts';
import { CaptureControl } from './capture-control.ts';
import { CommandRunner } from './command-runner.ts';
import { CommandVerifier } from './command-verifier.ts';
import type { ExecContext } from './executors.ts';
import { pinnedKey, pinOnFirstUse } from './key-pin.ts';
import { NonceStore } from './nonce-store.ts';

export const NONCE_FILE = 'command-nonces.json';

export interface RunnerDeps {
  client: Pick<AgentClient, 'call'>;
  executor: Pick<FirewallExecutor, 'apply' | 'remove'> | null;
  managementPath?: Pick<ManagementPath, 'refusal'> | null;
  now: () => number;
  log: (m: string) => void;
  restart: () => void;
  profiles?: RunnerProfiles;
}

type RunnerProfiles = ExecContext['profiles'];

export function createCommandRunner(config: AgentConfig, d: RunnerDeps): CommandRunner {
  // Commands run only when signed by the pinned key, addressed here, unexpired and never seen (nonces kept across restarts).
  const pinned = pinnedKey(config.command_public_key, config.spool_dir);
  const verifier = new CommandVerifier({ nodeUuid: config.node_uuid, nonces: new NonceStore(join(config.spool_dir, NONCE_FILE), d.now, d.log), now: d.now, publicKey: pinned });
  if (!pinned) d.log('no command key pinned yet (enrolled before command signing): pinning the server\'s at the first config fetch');
  return new CommandRunner({
    client: d.client, executor: d.executor, allowRawCommands: config.allow_raw_commands, managementPath: d.managementPath ?? null, log: d.log, verifier,
    pinFirst: pinned ? undefined : (key) => pinOnFirstUse(key, config.spool_dir, d.log) && verifier.pin(key),
    capture: new CaptureControl({ iface: config.interface, dir: config.pcap_dir }),
    upgradeArgv: config.upgrade_argv ?? null,
    profiles: d.profiles ?? null,
    restart: d.restart,
  });
}
