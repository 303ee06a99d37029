import { AnalysisOptionsError, analyzeCapture, formatReport, type AnalyzeOptions } from '@breakwater/analysis';
import { parseFlags, UsageError } from '../args.ts';
import { analyzeFlows, flowPorts, isFlowCapture } from './analyze-flows.ts';

const USAGE = `usage: breakwater analyze FILE [--json] [--target IP[/LEN]]... [--pps-threshold N] [--bps-threshold N] [--flows|--packets] [--flow-port N]...
                         [--syn-pps-threshold N] [--icmp-pps-threshold N] [--fragment-pps-threshold N]
                         [--no-geo] [--geo-db FILE.mmdb]

Forensic report of a pcap/pcapng capture: timeline, incidents (family, subtype, severity, peaks, why),
top sources/ports/countries, spoofing and botnet verdicts, recommended mitigation. FILE "-" reads a
capture from stdin (e.g. tcpdump -w - | breakwater analyze -).

  --json          print the report as one JSON object
  --target        protected address or prefix (repeatable); default: chosen from the capture
  --*-threshold   static thresholds over a 1 s window (offline defaults: 5000 pps, 250 Mbit/s,
                  SYN/ICMP/fragments 2000 pps; a per-protocol threshold of 0 disables it)

A capture of flow datagrams (NetFlow v5/v9, IPFIX, sFlow v5: a pcap of UDP to a collector's
ports) is recognised by its content and gets the collector's report instead: exporters, templates,
record count, packets and bytes (raw and scaled by sampling), and the incidents \`breakwater
collector\` would open per protected address (--target gives the protected networks; default every
destination). --flows / --packets force one reading; --flow-port N (repeatable) keeps only
datagrams to that port.

Exit status: 0 report printed, 1 unreadable or malformed capture (the report so far is still
printed, the message names the byte offset), 2 bad usage.`;

function count(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min) {
    throw new UsageError(`${flag}: must be an integer >= ${min}, got ${JSON.stringify(v)}\n\n${USAGE}`);
  }
  return Number(v);
}

const OPTIONS = {
  json: { type: 'boolean' },
  target: { type: 'string', multiple: true },
  'pps-threshold': { type: 'string' },
  'bps-threshold': { type: 'string' },
  'syn-pps-threshold': { type: 'string' },
  'icmp-pps-threshold': { type: 'string' },
  'fragment-pps-threshold': { type: 'string' },
  flows: { type: 'boolean' },
  packets: { type: 'boolean' },
  'flow-port': { type: 'string', multiple: true },
  'no-geo': { type: 'boolean' },
  'geo-db': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Parameters<typeof parseFlags>[1];

/** Splits FILE (the one positional, anywhere; "-" is stdin) from the flags, which parseFlags checks. */
function splitFile(argv: string[]): { files: string[]; flags: string[] } {
  const takesValue = new Set(Object.entries(OPTIONS).filter(([, o]) => o.type === 'string').map(([k]) => `--${k}`));
  const files: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-' || !a.startsWith('-')) files.push(a);
    else {
      flags.push(a);
      if (takesValue.has(a) && i + 1 < argv.length) flags.push(argv[++i]!);
    }
  }
  return { files, flags };
}

export async function analyzeCommand(argv: string[]): Promise<void> {
  const { files, flags } = splitFile(argv);
  const { values } = parseFlags(flags, OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const file = files[0];
  if (file === undefined) throw new UsageError(`FILE is required (use - for stdin)\n\n${USAGE}`);
  if (files.length > 1) throw new UsageError(`one FILE at a time, got ${files.length}: ${files.map((f) => JSON.stringify(f)).join(' ')}\n\n${USAGE}`);

  const thresholds: Record<string, number> = {};
  const syn = count(values['syn-pps-threshold'], '--syn-pps-threshold', 0);
  const icmp = count(values['icmp-pps-threshold'], '--icmp-pps-threshold', 0);
  const frag = count(values['fragment-pps-threshold'], '--fragment-pps-threshold', 0);
  if (syn !== undefined) thresholds.synPps = syn;
  if (icmp !== undefined) thresholds.icmpPps = icmp;
  if (frag !== undefined) thresholds.fragmentPps = frag;
  const options: AnalyzeOptions = {
    ...(values.target !== undefined ? { target: values.target } : {}),
    ...(values['pps-threshold'] !== undefined ? { ppsThreshold: count(values['pps-threshold'], '--pps-threshold', 1) } : {}),
    ...(values['bps-threshold'] !== undefined ? { bpsThreshold: count(values['bps-threshold'], '--bps-threshold', 1) } : {}),
    ...(Object.keys(thresholds).length > 0 ? { detection: { thresholds } } : {}),
    ...(values['no-geo'] ? { geo: false as const } : {}),
    ...(values['geo-db'] !== undefined ? { geoDatabase: values['geo-db'] } : {}),
  };

  // A capture of NetFlow/IPFIX/sFlow datagrams (UDP to a collector) gets the collector's analysis.
  if (file !== '-' && (values.flows || (!values.packets && (await isFlowCapture(file, flowPorts(values['flow-port'])))))) {
    await analyzeFlows(file, values, options);
    return;
  }
  let report;
  try {
    report = await analyzeCapture(file === '-' ? process.stdin : file, { ...options, ...(file === '-' ? { fileName: 'stdin' } : {}) });
  } catch (err) {
    if (err instanceof AnalysisOptionsError) {
      // Name the flag the user typed, not the option key.
      const flagOf: Record<string, string> = { target: '--target', ppsThreshold: '--pps-threshold', bpsThreshold: '--bps-threshold', 'detection.thresholds.synPps': '--syn-pps-threshold', 'detection.thresholds.icmpPps': '--icmp-pps-threshold', 'detection.thresholds.fragmentPps': '--fragment-pps-threshold', 'detection.thresholds.pps': '--pps-threshold', 'detection.thresholds.bps': '--bps-threshold' };
      throw new UsageError(err.errors.map((e) => `${flagOf[e.key.replace(/\[\d+\]$/, '')] ?? e.key}: ${e.message}`).join('\n') + `\n\n${USAGE}`);
    }
    throw err;
  }
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  if (report.error !== null) {
    process.stderr.write(`breakwater analyze: ${file === '-' ? 'stdin' : file}: ${report.error.message}\n`);
    process.exitCode = 1;
  }
}
