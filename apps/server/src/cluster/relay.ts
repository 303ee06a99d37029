// What crosses replicas on the bus: live-view events (dashboard streams on any replica see a change
// stored on another) and queued commands (the replica holding the node's agent socket pushes it).
import { commands, nodes, type Db } from '@breakwater/db';
import type { LiveEvent } from '@breakwater/contracts';
import { LiveBus } from '../services/live/live-bus.ts';
import type { CommandService } from '../services/commands/command-service.ts';
import type { AgentLinks } from '../services/fleet/agent-links.ts';
import type { ClusterBus } from './bus.ts';

/** The live bus of a replica: a publish reaches this replica's subscribers at once and the others' through the bus. */
export class ClusterLiveBus extends LiveBus {
  readonly #bus: ClusterBus;
  readonly #onError: (err: unknown) => void;

  constructor(bus: ClusterBus, onError: (err: unknown) => void) {
    super();
    this.#bus = bus;
    this.#onError = onError;
    bus.subscribe('live', (p, from) => {
      if (!from.local) super.publish(p.workspace_id, p.event);
    });
  }

  override publish(workspaceId: string, event: LiveEvent): void {
    super.publish(workspaceId, event);
    if (this.#bus.kind !== 'local') this.#bus.publish('live', { workspace_id: workspaceId, event }).catch(this.#onError);
  }
}

/** Commands queued on one replica reach the agent socket held by another; live views hear of each. */
export function relayCommands(deps: { bus: ClusterBus; db: Db; commands: CommandService; links: AgentLinks; live: LiveBus; onError: (err: unknown) => void }): () => void {
  const { bus, db, onError } = deps;
  const offQueued = deps.commands.onQueued((node, command, remote) => {
    if (remote) return;
    deps.live.publish(node.workspace_id, { type: 'command.queued', command_id: `cmd_${command.id}`, node_id: node.uuid, status: command.status });
    if (bus.kind !== 'local') bus.publish('command.queued', { node_id: node.id, command_id: command.id }).catch(onError);
  });
  const offBus = bus.subscribe('command.queued', (p, from) => {
    if (from.local || !deps.links.connected(p.node_id)) return;
    void (async () => {
      const [node, command] = await Promise.all([nodes.getNodeRow(db, p.node_id), commands.getCommand(db, p.node_id, p.command_id)]);
      if (node && command) deps.commands.announce(node, command, true);
    })().catch(onError);
  });
  return () => {
    offQueued();
    offBus();
  };
}
