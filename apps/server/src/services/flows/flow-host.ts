// A collector's agent API request that names a protected host (FLOW_HOST_HEADER) is filed under
// that host's flow node: found, or created on first sight. The host must be inside the networks
// the collector registered — a collector cannot report on (or open incidents for) addresses it
// does not protect, nor on another node's.
import { formatPrefix, parseAddress, parsePrefix, prefixContains } from '@breakwater/contracts';
import { flows, fromJson, type Db, type NodeRow } from '@breakwater/db';
import { badRequest, forbidden } from '../../errors.ts';

export async function resolveFlowHost(db: Db, collector: NodeRow, header: string | string[], now: number): Promise<NodeRow> {
  if (collector.kind !== 'collector') throw forbidden('x-flow-host: only a flow collector may name a host (register with POST /api/v1/agent/collector first)');
  const text = Array.isArray(header) ? '' : header.trim();
  const addr = parseAddress(text);
  if (!addr) throw badRequest(`x-flow-host: must be an IPv4 or IPv6 address, got ${JSON.stringify(text.slice(0, 64))}`);
  const host = canonicalHost(text);
  const networks = fromJson<string[]>(collector.flow_networks, []);
  if (!networks.some((n) => { const p = parsePrefix(n); return p !== null && prefixContains(p, host); })) {
    throw forbidden(`x-flow-host: ${host} is outside this collector's networks (${networks.join(', ') || 'none'})`);
  }
  return flows.ensureFlowNode(db, collector, host, now);
}

/** One spelling per address (RFC 5952 for IPv6), so "2001:DB8:0::1" and "2001:db8::1" are one flow node. */
function canonicalHost(text: string): string {
  const p = parsePrefix(text);
  return p ? formatPrefix(p).replace(/\/\d+$/, '') : text;
}
