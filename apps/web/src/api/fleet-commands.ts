// Typed calls for the command console: the registry (types, their params as JSON Schema, risk,
// timeout, whether this user may send each), sending one, and an agent's history. Routes of the
// fleet agents API, whose replies are bare (requestBare). Shapes from contracts, types only.
import type { CommandInfo, CommandTypeInfo } from '@breakwater/contracts';
import { requestBare } from './client.ts';

export type { CommandInfo, CommandTypeInfo } from '@breakwater/contracts';

const id = (v: string) => encodeURIComponent(v);

export const fleetCommandsApi = {
  types: () => requestBare<CommandTypeInfo[]>('GET', '/api/agents/command-types'),
  history: (agent: string) => requestBare<CommandInfo[]>('GET', `/api/agents/${id(agent)}/commands`),
  send: (agent: string, body: { type: string; params: Record<string, unknown> }) => requestBare<{ command_id: string; status: string }>('POST', `/api/agents/${id(agent)}/commands`, body),
};
