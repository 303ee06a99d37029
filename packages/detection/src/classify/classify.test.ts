import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, type NormalRates } from './classify.ts';
import { AMPLIFICATION_SERVICES } from './services.ts';
import { extractVectors } from './vectors.ts';
import { defaultConfig } from '../config/validate.ts';
import { addTick, emptyDetail } from '../window/traffic-detail.ts';
import { sanitizeTick } from '../window/sanitize-tick.ts';
import { makeTicks, type Mix } from '../testing/tick-factory.ts';
import type { ThresholdName } from '../thresholds/thresholds.ts';

const cfg = defaultConfig().classification;
const T0 = Date.UTC(2026, 10, 2, 12);

function verdict(mix: Mix, opts: { normal?: NormalRates; fired?: ThresholdName[] } = {}) {
  const d = emptyDetail();
  for (const t of makeTicks(T0, 1, mix)) addTick(d, sanitizeTick(t, 0));
  return classify({ detail: d, seconds: 1, ...opts }, cfg);
}

// Real reflectors: many of them, on many paths.
const reflectors = { sources: 3000, ttls: [44, 47, 49, 50, 51, 53, 54, 56, 110, 112, 113, 115, 117, 240, 243] };

void test('amplification by UDP source port, for every known reflector service', () => {
  for (const s of AMPLIFICATION_SERVICES) {
    const v = verdict({ pps: 100_000, size: 900, udp: 0.97, tcp: 0.03, flags: { ack: 1 }, srcPorts: { [s.port]: 0.91 * 0.97 }, ...reflectors });
    assert.equal(v.subtype, `${s.name}_amplification`, s.label);
    assert.equal(v.family, s.port === 53 ? 'dns_flood' : 'udp_flood', s.label);
    assert.match(v.explanation, new RegExp(`UDP 97\\.0%, TCP 3\\.0% of packets; 91\\.0% of UDP packets from source port ${s.port} \\(${s.label.replace(/[()]/g, '\\$&')}\\)`));
    assert.ok(v.confidence >= 85, `${s.label}: confidence ${v.confidence}`);
    assert.equal(v.spoofing.detected, false, 'reflectors are real hosts');
  }
});

void test('extra amplification ports from config are recognised', () => {
  const d = emptyDetail();
  for (const t of makeTicks(T0, 1, { pps: 50_000, udp: 1, srcPorts: { 27960: 0.95 }, ...reflectors })) addTick(d, sanitizeTick(t, 0));
  const v = classify({ detail: d, seconds: 1 }, { ...cfg, extraAmplificationPorts: [{ port: 27960, name: 'quake' }] });
  assert.equal(v.subtype, 'quake_amplification');
});

void test('DNS query flood to our port 53 is dns_flood/dns_query_flood, not amplification', () => {
  const v = verdict({ pps: 80_000, size: 80, udp: 1, dstPorts: { 53: 0.95 }, ...reflectors });
  assert.deepEqual([v.family, v.subtype], ['dns_flood', 'dns_query_flood']);
});

void test('UDP to random ports from no reflector port is a plain udp_flood', () => {
  const v = verdict({ pps: 80_000, size: 1200, udp: 1, dstPorts: { 3074: 0.05, 27016: 0.04 }, ...reflectors });
  assert.deepEqual([v.family, v.subtype], ['udp_flood', 'udp_flood']);
});

void test('SYN flood: from real hosts, from one forging origin (one TTL), with random TTLs', () => {
  const syn: Mix = { pps: 100_000, size: 60, tcp: 1, flags: { syn: 1 }, dstPorts: { 443: 1 } };
  const real = verdict({ ...syn, ...reflectors, sources: 800 });
  assert.deepEqual([real.family, real.subtype, real.spoofing.detected], ['syn_flood', 'syn_flood', false]);

  const oneOrigin = verdict({ ...syn, sources: 10_000, ttls: [63] });
  assert.deepEqual([oneOrigin.family, oneOrigin.subtype, oneOrigin.spoofing.detected], ['syn_flood', 'spoofed_syn_flood', true]);
  assert.match(oneOrigin.explanation, /3 TTL values: one origin forging source addresses/);

  const randomTtl = verdict({ ...syn, sources: 500, ttls: 'random' });
  assert.equal(randomTtl.spoofing.detected, true);
  assert.match(randomTtl.explanation, /TTL entropy 8\.00 bits/);
});

void test('TCP flag floods: ACK, RST, FIN, XMAS, NULL, SYN-ACK', () => {
  const cases: [keyof NonNullable<Mix['flags']>, string, string][] = [
    ['ack', 'unknown', 'ack_flood'],
    ['rst', 'unknown', 'rst_flood'],
    ['fin', 'unknown', 'fin_flood'],
    ['xmas', 'unknown', 'xmas_flood'],
    ['null', 'unknown', 'null_flood'],
    ['synAck', 'syn_flood', 'synack_flood'],
  ];
  for (const [flag, family, subtype] of cases) {
    const v = verdict({ pps: 100_000, size: 60, tcp: 1, flags: { [flag]: 0.96, psh: 0.04 }, dstPorts: { 22: 0.5 }, ...reflectors });
    assert.deepEqual([v.family, v.subtype], [family, subtype], flag);
    assert.match(v.explanation, /96\.0% of TCP packets/);
  }
});

void test('HTTP(S) floods need web ports, established traffic and many sources', () => {
  const web: Mix = { pps: 60_000, size: 400, tcp: 1, flags: { ack: 0.4, psh: 0.5, syn: 0.1 }, ...reflectors, sources: 2000 };
  const http = verdict({ ...web, dstPorts: { 80: 0.95 } });
  assert.deepEqual([http.family, http.subtype], ['http_flood', 'http_flood']);
  const https = verdict({ ...web, dstPorts: { 443: 0.95 } });
  assert.deepEqual([https.family, https.subtype], ['http_flood', 'https_flood']);
  assert.match(https.explanation, /2000 sources \(≥ 50\)/);
  // Two sources pushing data at port 443 are a transfer, not an HTTP flood.
  const few = verdict({ ...web, dstPorts: { 443: 0.95 }, sources: 2 });
  assert.notEqual(few.family, 'http_flood');
});

void test('flag floods to web ports stay flag floods: no requests, or one packet per forged source, is no HTTP flood', () => {
  // hping3 -A -p 443 --flood --rand-source: bare ACKs, every packet from a new address.
  const bareAck = verdict({ pps: 60_000, size: 60, tcp: 1, flags: { ack: 1 }, dstPorts: { 443: 1 }, sources: 6000, ttls: [64] });
  assert.deepEqual([bareAck.family, bareAck.subtype], ['unknown', 'ack_flood']);
  assert.match(bareAck.explanation, /to web ports, not HTTP \(requests \(PSH\) 0\.0% < 10\.0%, 1\.00 packets per source per tick < 1\.5: no handshakes\)/);
  // Bare ACKs from real-looking bots that repeat: still no requests.
  const botAck = verdict({ pps: 60_000, size: 60, tcp: 1, flags: { ack: 1 }, dstPorts: { 443: 1 }, ...reflectors, sources: 500 });
  assert.equal(botAck.subtype, 'ack_flood');
  // PSH-ACK with payload, forged sources: requests without handshakes.
  const pshForged = verdict({ pps: 60_000, size: 180, tcp: 1, flags: { psh: 1 }, dstPorts: { 443: 1 }, sources: 6000, ttls: [64] });
  assert.deepEqual([pshForged.family, pshForged.subtype], ['unknown', 'psh_ack_flood']);
  assert.match(pshForged.explanation, /no handshakes/);
  // Sampled 1 in 20 (sFlow, or the agent's sampler): real clients thin to ~1 packet per source per
  // tick too, so the handshake rule is not applied and requests decide.
  const sampledTicks = makeTicks(T0, 1, { pps: 60_000, size: 400, tcp: 1, flags: { ack: 0.4, psh: 0.5, syn: 0.1 }, dstPorts: { 443: 1 }, sources: 300, ttls: [52, 57, 116] });
  const d = emptyDetail();
  for (const t of sampledTicks) {
    const k = 20;
    const decoded = t.decoded.packets / k;
    addTick(d, sanitizeTick({ ...t, sampleRate: k, decoded: { packets: decoded, bytes: t.decoded.bytes / k }, distinctSources: Math.min(300, decoded) }, 0));
  }
  const sampled = classify({ detail: d, seconds: 1 }, cfg);
  assert.deepEqual([sampled.family, sampled.subtype], ['http_flood', 'https_flood']);
  assert.match(sampled.explanation, /sampled detail: handshakes not assessed/);
  // XMAS packets count as FIN, PSH and URG too: the verdict is xmas_flood, not fin_flood.
  const xmas = verdict({ pps: 60_000, size: 60, tcp: 1, flags: { xmas: 1, fin: 1, psh: 1, urg: 1 }, dstPorts: { 443: 1 }, sources: 6000, ttls: [64] });
  assert.equal(xmas.subtype, 'xmas_flood');
});

void test('ICMP, GRE and fragment floods', () => {
  const icmp = verdict({ pps: 50_000, size: 84, icmp: 1, udp: 0, ...reflectors });
  assert.deepEqual([icmp.family, icmp.subtype], ['icmp_flood', 'icmp_flood']);
  const gre = verdict({ pps: 50_000, size: 600, gre: 1, udp: 0, ...reflectors });
  assert.deepEqual([gre.family, gre.subtype], ['unknown', 'gre_flood']);
  assert.ok(gre.botnet.signatures.includes('mirai_gre'));
  const frag = verdict({ pps: 50_000, size: 1480, udp: 1, fragments: 0.95, ...reflectors });
  assert.deepEqual([frag.family, frag.subtype], ['udp_flood', 'fragment_flood']);
});

void test('fragments of amplified responses stay one vector', () => {
  // DNS ANY responses in three fragments: the first carries port 53, the other two no ports.
  const v = verdict({ pps: 90_000, size: 1400, udp: 1, srcPorts: { 53: 0.33 }, fragments: 0.99, ...reflectors });
  assert.deepEqual([v.family, v.subtype], ['dns_flood', 'dns_amplification']);
  assert.match(v.explanation, /fragments of the dns_amplification datagrams/);
});

void test('multi_vector when two vectors each carry a significant share, not for a 90/10 split', () => {
  const mix = (ntp: number): Mix => ({
    pps: 200_000,
    size: 200,
    tcp: 1 - ntp,
    udp: ntp,
    flags: { syn: 1 },
    srcPorts: { 123: ntp },
    ...reflectors,
  });
  const multi = verdict(mix(0.45));
  assert.equal(multi.family, 'multi_vector');
  assert.deepEqual(multi.subtype.split('+').sort(), ['ntp_amplification', 'syn_flood']);
  assert.match(multi.explanation, /2 vectors each ≥ 20\.0% of the excess → multi_vector/);
  const single = verdict({ ...mix(0.05), size: 60 });
  assert.equal(single.family, 'syn_flood');
});

void test('a vector whose own threshold fired counts even at a small share', () => {
  const mix: Mix = { pps: 200_000, size: 60, tcp: 0.1, udp: 0.9, flags: { syn: 1 }, ...reflectors };
  assert.equal(verdict(mix).family, 'udp_flood');
  const v = verdict(mix, { fired: ['pps', 'syn_pps'] });
  assert.deepEqual([v.family, v.subtype], ['multi_vector', 'udp_flood+syn_flood']);
});

void test('shares are of the excess over normal: a SYN flood on a busy web server is a syn_flood', () => {
  const web: Mix = { pps: 50_000, size: 500, tcp: 1, flags: { ack: 0.5, psh: 0.5 }, dstPorts: { 443: 1 }, ...reflectors };
  const d = emptyDetail();
  for (const t of makeTicks(T0, 1, web)) addTick(d, sanitizeTick(t, 0));
  const normal = new Map(extractVectors(d, cfg).map((v) => [v.id, { packets: v.packets, bytes: v.bytes }]));
  // The same web traffic plus as many SYNs again.
  const busy: Mix = { ...web, pps: 100_000, size: 280, flags: { ack: 0.25, psh: 0.25, syn: 0.5 } };
  assert.equal(verdict(busy).family, 'multi_vector', 'without knowing normal, the web traffic looks like a vector');
  assert.equal(verdict(busy, { normal }).family, 'syn_flood');
});

void test('botnet evidence: IOC payload matches, port signatures, many real sources', () => {
  const ioc = verdict({ pps: 50_000, udp: 1, iocs: { mirai_udpplain: 0.4 }, ...reflectors, sources: 50 });
  assert.equal(ioc.botnet.detected, true);
  assert.deepEqual(ioc.botnet.signatures, ['ioc:mirai_udpplain']);
  const vse = verdict({ pps: 50_000, udp: 1, size: 60, dstPorts: { 27015: 0.9 }, ...reflectors, sources: 50 });
  assert.ok(vse.botnet.signatures.includes('mirai_vse'));
  const direct = verdict({ pps: 50_000, tcp: 1, flags: { syn: 1 }, ...reflectors, sources: 2000 });
  assert.ok(direct.botnet.signatures.includes('distributed_direct_flood'));
  const amp = verdict({ pps: 50_000, udp: 1, srcPorts: { 123: 1 }, ...reflectors });
  assert.equal(amp.botnet.detected, false, 'reflectors are not bots');
  const few = verdict({ pps: 50_000, udp: 1, ...reflectors, sources: 5 });
  assert.equal(few.botnet.detected, false);
});

void test('no packet detail (kernel counters only) is unknown/no_detail, with the reason', () => {
  const v = verdict({ pps: 100_000, sampleRate: 1_000_000 });
  assert.deepEqual([v.family, v.subtype], ['unknown', 'no_detail']);
  assert.match(v.explanation, /no packet detail/);
});
