// The kernel's drop counter for a UDP socket: the last column of /proc/net/udp (udp6 for IPv6
// sockets), the datagrams the kernel threw away because the socket's receive buffer was full.
// The row is found by the socket's local port (and address), in the reading process's network
// namespace, which is the collector's own.
import { readFileSync } from 'node:fs';

/** Hex "ADDR:PORT" as /proc prints it: IPv4 in host byte order (little-endian here). */
function portOf(local: string): number {
  return parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
}

/** Drops of the UDP socket bound to `port` (family 4 or 6), or null when not found or /proc is unreadable. */
export function udpSocketDrops(port: number, family: 4 | 6, procRoot = '/proc'): number | null {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/net/${family === 4 ? 'udp' : 'udp6'}`, 'utf8');
  } catch {
    return null;
  }
  let total: number | null = null;
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 13) continue;
    if (portOf(cols[1]!) !== port) continue;
    // SO_REUSEPORT sockets share a port: their drops add up.
    total = (total ?? 0) + Number(cols[12]);
  }
  return total;
}
