// NetFlow v5: a 24-byte header and up to 30 fixed 48-byte records (Cisco's published format).
import { u16, u32 } from '../bytes.ts';
import { ipv4Text } from '../address.ts';
import type { Session } from '../session.ts';

const HEADER = 24;
const RECORD = 48;

export function decodeNetflowV5(s: Session, b: Uint8Array): void {
  if (b.length < HEADER) {
    s.fail('truncated');
    return;
  }
  const count = u16(b, 2);
  const uptime = u32(b, 4);
  const exportMs = u32(b, 8) * 1000 + Math.floor(u32(b, 12) / 1e6);
  const domain = u16(b, 20);
  // Top two bits: sampling mode; the other 14: the interval (0 = unsampled).
  const interval = u16(b, 22) & 0x3fff;
  let present = Math.floor((b.length - HEADER) / RECORD);
  if (count === 0 || count > 30) {
    s.fail('bad_header');
    return;
  }
  if (present < count) s.fail('truncated');
  else present = count;
  const agent = s.exporter.address;
  const rate = interval > 0 ? interval : 1;
  const source = interval > 0 ? 'datagram' : 'none';
  for (let i = 0, o = HEADER; i < present; i++, o += RECORD) {
    const r = s.begin('netflow_v5', agent, domain, s.receivedAtMs);
    r.ipVersion = 4;
    r.srcAddr = ipv4Text(u32(b, o));
    r.dstAddr = ipv4Text(u32(b, o + 4));
    r.inputIf = u16(b, o + 12);
    r.outputIf = u16(b, o + 14);
    r.packetsRaw = u32(b, o + 16);
    r.bytesRaw = u32(b, o + 20);
    // First/Last are sysUptime ms; the signed difference survives uptime wrapping.
    r.startMs = exportMs - ((uptime - u32(b, o + 24)) | 0);
    r.endMs = exportMs - ((uptime - u32(b, o + 28)) | 0);
    r.srcPort = u16(b, o + 32);
    r.dstPort = u16(b, o + 34);
    r.tcpFlags = b[o + 37]!;
    r.ipProtocol = b[o + 38]!;
    r.tos = b[o + 39]!;
    s.emit(rate, source);
  }
}
