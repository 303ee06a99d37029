// The fleet's plain values (no TypeBox): what the agent needs of fleet.ts at run time; see plain.ts.
import type { FleetAgentMessageType, FleetServerMessage } from './fleet.ts';

export const LOG_SOURCES = ['journald', 'file'] as const;
export type LogSource = (typeof LOG_SOURCES)[number];
/** systemd unit names: no leading dash (never read as an option), no slashes or spaces. */
export const UNIT_NAME_PATTERN = '^[A-Za-z0-9_@:.\\\\][A-Za-z0-9_@:.\\\\-]{0,255}$';

/** Raw bytes per file chunk on the WebSocket (base64 in JSON: ~342 KiB a message, under the 1 MiB frame cap). */
export const FILE_CHUNK_BYTES = 256 * 1024;
/** Chunks a sender may have in flight before an acknowledgement (acks are cumulative): a transfer holds at most this many chunks in memory. */
export const FILE_WINDOW_CHUNKS = 8;

export const FLEET_AGENT_MESSAGE_TYPES: readonly FleetAgentMessageType[] = [
  'stream.started', 'stream.lines', 'stream.metrics', 'stream.end', 'file.meta', 'file.chunk', 'file.ack', 'file.ready', 'file.done', 'file.error',
];
export const FLEET_SERVER_MESSAGE_TYPES: readonly FleetServerMessage['type'][] = [
  'stream.open', 'stream.close', 'file.get', 'file.put', 'file.chunk', 'file.ack', 'file.abort',
];
