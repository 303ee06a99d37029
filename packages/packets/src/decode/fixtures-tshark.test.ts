// Decodes every fixture capture and compares field by field with tshark's own decoding
// (an independent implementation) of the same file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodePacket } from './decode-packet.ts';
import { DecodedPacket, IpProto, type IpLayer } from './decoded-packet.ts';
import { formatIp } from './format-address.ts';
import { Linktype } from '../capture-file/linktype.ts';
import { readCaptureFile } from '../capture-file/read-capture.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
const FIELDS = [
  'frame.number',
  'frame.len',
  'frame.cap_len',
  'ip.src',
  'ip.dst',
  'ip.ttl',
  'ip.proto',
  'ip.hdr_len',
  'ip.len',
  'ip.frag_offset',
  'ip.flags.mf',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.hlim',
  'ipv6.plen',
  'ipv6.fraghdr.offset',
  'ipv6.fraghdr.more',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'tcp.hdr_len',
  'tcp.len',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'icmp.type',
  'icmpv6.type',
  'gre.proto',
  'vlan.id',
  'ieee8021ad.id',
  'sll.pkttype',
] as const;
type Field = (typeof FIELDS)[number];
type Row = Record<Field, string[]>;

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).error === undefined;
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng'));

function tshark(file: string): Row[] {
  const args = ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  // Reassembly would move transport fields onto the last fragment; we decode per packet.
  args.push('-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE');
  for (const f of FIELDS) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const cols = line.split('\t');
      const row: Partial<Row> = {};
      FIELDS.forEach((f, i) => {
        const c = cols[i];
        row[f] = c === undefined || c === '' ? [] : c.split(',');
      });
      return row as Row;
    });
}

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === 'True') return 1;
  if (v === 'False') return 0;
  return Number(v);
}

/** Checks one IP layer against occurrence `i` of tshark's ip.* or ipv6.* fields. */
function compareIp(ctx: string, l: IpLayer, buf: Uint8Array, row: Row, i: number): void {
  if (l.version === 4) {
    assert.equal(formatIp(buf, l.srcOffset, 4), row['ip.src'][i], `${ctx} ip.src`);
    assert.equal(formatIp(buf, l.dstOffset, 4), row['ip.dst'][i], `${ctx} ip.dst`);
    assert.equal(l.ttl, num(row['ip.ttl'][i]), `${ctx} ip.ttl`);
    assert.equal(l.protocol, num(row['ip.proto'][i]), `${ctx} ip.proto`);
    assert.equal(l.headerLength, num(row['ip.hdr_len'][i]), `${ctx} ip.hdr_len`);
    assert.equal(l.totalLength, num(row['ip.len'][i]), `${ctx} ip.len`);
    assert.equal(l.fragmentOffset / 8, num(row['ip.frag_offset'][i]), `${ctx} ip.frag_offset`);
    assert.equal(l.moreFragments ? 1 : 0, num(row['ip.flags.mf'][i]), `${ctx} ip.flags.mf`);
  } else {
    assert.equal(formatIp(buf, l.srcOffset, 6), row['ipv6.src'][i], `${ctx} ipv6.src`);
    assert.equal(formatIp(buf, l.dstOffset, 6), row['ipv6.dst'][i], `${ctx} ipv6.dst`);
    assert.equal(l.ttl, num(row['ipv6.hlim'][i]), `${ctx} ipv6.hlim`);
    assert.equal(l.totalLength - 40, num(row['ipv6.plen'][i]), `${ctx} ipv6.plen`);
    if (l.fragment) {
      assert.equal(l.fragmentOffset / 8, num(row['ipv6.fraghdr.offset'][0]), `${ctx} ipv6.fraghdr.offset`);
      assert.equal(l.moreFragments ? 1 : 0, num(row['ipv6.fraghdr.more'][0]), `${ctx} ipv6.fraghdr.more`);
    } else if (i === 0) {
      assert.equal(row['ipv6.fraghdr.offset'].length, 0, `${ctx} no fragment header`);
    }
  }
}

/** Transport of the innermost layer; ICMP errors quote headers tshark also lists, so skip those. */
function compareTransport(ctx: string, l: IpLayer, row: Row): void {
  if (l.protocol === IpProto.icmp || l.protocol === IpProto.icmpv6) {
    const field = l.protocol === IpProto.icmp ? 'icmp.type' : 'icmpv6.type';
    if (l.transport) assert.equal(l.icmpType, num(row[field][0]), `${ctx} ${field}`);
    return;
  }
  // tshark reads ports out of a tiny first fragment's partial header; we count such a
  // packet as a fragment without transport (its header is split across fragments).
  if (!l.transport && l.moreFragments) return;
  const isTcp = l.transport && l.protocol === IpProto.tcp;
  const isUdp = l.transport && l.protocol === IpProto.udp;
  assert.equal(isTcp, row['tcp.srcport'].length > 0, `${ctx} tcp present`);
  assert.equal(isUdp, row['udp.srcport'].length > 0, `${ctx} udp present`);
  if (isTcp) {
    assert.equal(l.srcPort, num(row['tcp.srcport'][0]), `${ctx} tcp.srcport`);
    assert.equal(l.dstPort, num(row['tcp.dstport'][0]), `${ctx} tcp.dstport`);
    assert.equal(l.tcpFlags, num(row['tcp.flags'][0]), `${ctx} tcp.flags`);
    assert.equal(l.tcpHeaderLength, num(row['tcp.hdr_len'][0]), `${ctx} tcp.hdr_len`);
    assert.equal(l.payloadLength, num(row['tcp.len'][0]), `${ctx} tcp.len`);
  }
  if (isUdp) {
    assert.equal(l.srcPort, num(row['udp.srcport'][0]), `${ctx} udp.srcport`);
    assert.equal(l.dstPort, num(row['udp.dstport'][0]), `${ctx} udp.dstport`);
    assert.equal(l.udpLength, num(row['udp.length'][0]), `${ctx} udp.length`);
  }
}

for (const file of files) {
  void test(`${file}: decoded fields match tshark`, { skip: hasTshark || process.env.CI ? false : 'tshark is not installed (Debian package tshark); in CI this fails instead' }, async () => {
    const path = join(FIXTURES, file);
    const rows = tshark(path);
    const pkt = new DecodedPacket();
    let n = 0;
    let ipLayers = 0;
    for await (const rec of readCaptureFile(path)) {
      const row = rows[n];
      const ctx = `${file} frame ${n + 1}`;
      n++;
      assert.ok(row, `${ctx}: tshark has fewer frames`);
      assert.equal(rec.origlen, num(row['frame.len'][0]), `${ctx} frame.len`);
      assert.equal(rec.caplen, num(row['frame.cap_len'][0]), `${ctx} frame.cap_len`);
      decodePacket(rec.linktype, rec.buf, rec.offset, rec.caplen, pkt);
      assert.equal(pkt.status, 0, `${ctx}: status ${pkt.status} in decoder ${pkt.errorDecoder}`);
      if (pkt.ip.version === 0) {
        assert.equal(row['ip.src'].length + row['ipv6.src'].length, 0, `${ctx}: tshark sees IP we did not`);
        continue;
      }
      ipLayers++;
      compareIp(ctx, pkt.ip, pkt.buf, row, 0);
      const inner = pkt.inner;
      if (inner.version !== 0) {
        // tshark lists ip.* and ipv6.* occurrences separately, outermost first.
        compareIp(`${ctx} inner`, inner, pkt.buf, row, inner.version === pkt.ip.version ? 1 : 0);
        assert.equal(pkt.ip.greProtocol, num(row['gre.proto'][0]) ?? 0, `${ctx} gre.proto`);
        compareTransport(`${ctx} inner`, inner, row);
      } else if (!pkt.ip.fragment || pkt.ip.fragmentOffset === 0) {
        compareTransport(ctx, pkt.ip, row);
      }
      const vlans = [...row['ieee8021ad.id'], ...row['vlan.id']].map(Number);
      assert.deepEqual([pkt.vlan0, pkt.vlan1].slice(0, pkt.vlanCount), vlans, `${ctx} vlan ids`);
      if (rec.linktype === Linktype.linuxSll || rec.linktype === Linktype.linuxSll2) {
        assert.equal(pkt.sllPacketType, num(row['sll.pkttype'][0]), `${ctx} sll.pkttype`);
      }
    }
    assert.equal(n, rows.length, `${file}: frame count`);
    assert.ok(ipLayers > 0, `${file}: no IP packet at all`);
  });
}
