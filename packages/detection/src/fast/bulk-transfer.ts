// Bulk TCP transfers hold fast open back. A download that keeps a link full for a few tens of
// milliseconds (a cache fill, an object of a page load, a backup's receive window opening) is, to
// the 10 ms counters, exactly a short flood of full-size frames: on a quiet machine the detect
// bench's benign traffic opened 5 incidents in 30 s that way. What tells them apart is the packet
// detail: established TCP (ACK/PSH, no handshake floods) carrying data between a few peers.
//
// So a fast hit whose frames are bulk-sized (counters: bytes per packet) waits for the detail of
// its span: an established transfer never opens on the short rungs (the one-second window still
// judges it, as it judges everything); anything else opens as soon as the detail says so. Small-
// packet floods (the packet-rate floods the short rungs are for) never wait. When no detail comes
// (no capture), the hit opens after `BULK_MAX_WAIT_MS` of firing.
import type { TrafficDetail } from '../window/traffic-detail.ts';

/** Average inbound frame size (counters) from which a fast hit waits for its detail. */
export const BULK_MIN_FRAME_BYTES = 1000;
/** How long a bulk-sized hit waits for detail before it opens without it. */
export const BULK_MAX_WAIT_MS = 300;
/** Share of the decoded packets that must be established TCP (ACK or PSH, no SYN/RST/FIN floods). */
export const BULK_ESTABLISHED_SHARE = 0.9;
/** Average TCP packet size of a transfer (data frames and the receiver's ACKs, both directions). */
export const BULK_MIN_TCP_BYTES = 600;
/** Distinct sources (both directions, so the node itself is one) a transfer stays within. */
export const BULK_MAX_SOURCES = 16;

export type TransferVerdict = 'transfer' | 'not_transfer' | 'no_detail';

/** Whether a span's packet detail is established TCP transfers between a few peers. */
export function judgeTransfer(d: TrafficDetail, minDecodedPackets: number): TransferVerdict {
  if (d.decodedPacketsSum < minDecodedPackets || d.packets <= 0) return 'no_detail';
  const f = d.tcpFlags;
  const established = f.ack + f.psh;
  const tcpShare = d.tcp.packets / d.packets;
  const establishedShare = d.tcp.packets > 0 ? established / d.tcp.packets : 0;
  const tcpBytes = d.tcp.packets > 0 ? d.tcp.bytes / d.tcp.packets : 0;
  const sources = Math.max(d.distinctSourcesMax, d.sources.size);
  const transfer = tcpShare >= BULK_ESTABLISHED_SHARE && establishedShare >= BULK_ESTABLISHED_SHARE && tcpBytes >= BULK_MIN_TCP_BYTES && sources <= BULK_MAX_SOURCES;
  return transfer ? 'transfer' : 'not_transfer';
}
