// The incident's packet captures: download, a page of decoded packets, and the forensic analysis
// (computed by the server on first request, then cached).
import { useState } from 'react';
import { url } from '../api/routes.ts';
import type { IncidentDetail } from '../api/types.ts';
import { Problem } from '../components/layout.tsx';
import { bytes, label, pct, pps, bps } from '../format.ts';
import { useApi } from '../use-api.ts';

const PAGE = 50;

/** The parts of the analysis report shown here (packages/analysis AnalysisReport; read loosely). */
interface Report {
  complete?: boolean;
  error?: { code: string; message: string } | null;
  file?: { format?: string; packets?: number; duration_s?: number };
  incidents?: { attack_family: string; attack_subtype: string; severity: string; peak_pps: number; peak_bps: number; explanation: string; target: string; vectors?: { family: string; subtype: string; packet_share: number; rule: string }[] }[];
  spoofing?: { verdict: string; why: string };
  botnet?: { verdict: string; why: string; signatures?: string[] };
  recommendations?: { kind: string; target: string; reason: string }[];
  countries?: { country: string; packets: number; pct: number }[];
}

export function CaptureSection({ pcaps }: { pcaps: IncidentDetail['pcaps'] }) {
  return (
    <section className="card" aria-labelledby="pcap-title">
      <h2 id="pcap-title">Packet capture</h2>
      {pcaps.length === 0 ? <p className="muted">No capture was uploaded for this incident (agents upload it after the attack ends).</p> : pcaps.map((p) => <Capture key={p.uuid} pcap={p} />)}
    </section>
  );
}

function Capture({ pcap }: { pcap: IncidentDetail['pcaps'][number] }) {
  const [offset, setOffset] = useState(0);
  const packets = useApi(url('/api/v1/pcaps/:id/packets', { params: { id: pcap.uuid }, query: { limit: PAGE, offset } }));
  const analysis = useApi(url('/api/v1/pcaps/:id/analysis', { params: { id: pcap.uuid } }));
  const total = packets.meta?.total ?? 0;
  const r = analysis.data?.report as Report | undefined;
  return (
    <div className="capture">
      <p>
        <strong>{pcap.filename}</strong> <span className="muted">{bytes(pcap.size_bytes)} · sha256 <code className="hash">{pcap.sha256.slice(0, 16)}…</code></span>{' '}
        <a className="button" href={`/api/v1/pcaps/${pcap.uuid}/download`} download data-download={pcap.uuid}>Download PCAP</a>
      </p>
      <h3>Packets</h3>
      <Problem error={packets.error} />
      <div className="table-wrap">
        <table data-table="packets" className="packets">
          <thead><tr><th scope="col" className="num">#</th><th scope="col">Time</th><th scope="col">Source</th><th scope="col">Destination</th><th scope="col">Proto</th><th scope="col">Flags</th><th scope="col" className="num">TTL</th><th scope="col" className="num">Length</th></tr></thead>
          <tbody>
            {packets.data?.map((p) => (
              <tr key={p.index}>
                <td className="num">{p.index + 1}</td>
                <td>{p.timestamp.slice(11, 23)}</td>
                <td><code>{p.src_ip ?? '—'}{p.src_port !== null ? `:${p.src_port}` : ''}</code></td>
                <td><code>{p.dst_ip ?? '—'}{p.dst_port !== null ? `:${p.dst_port}` : ''}</code></td>
                <td>{p.protocol ?? '—'}{p.fragment ? ' frag' : ''}</td>
                <td>{p.tcp_flags ?? ''}{p.decode_error ? <span className="field-error"> {p.decode_error}</span> : null}</td>
                <td className="num">{p.ttl ?? '—'}</td>
                <td className="num">{p.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Packet pages">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
        <span className="muted">{total === 0 ? 0 : offset + 1}–{Math.min(total, offset + PAGE)} of {total}</span>
        <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>Next</button>
      </nav>
      <h3>Forensic analysis</h3>
      {analysis.loading && !r ? <p className="muted" role="status">Analysing the capture…</p> : null}
      <Problem error={analysis.error} />
      {r ? (
        <div data-analysis>
          {r.error ? <p className="problem">Read stopped early: {r.error.message}</p> : null}
          {(r.incidents ?? []).length === 0 ? <p className="muted">The analysis found no attack in this capture.</p> : null}
          {(r.incidents ?? []).map((x, k) => (
            <div key={k} className="analysis-incident">
              <p><strong>{label(x.attack_family)}</strong> / {label(x.attack_subtype)} against <code>{x.target}</code> — {x.severity}, peak {pps(x.peak_pps)}, {bps(x.peak_bps)}</p>
              <p>{x.explanation}</p>
              {x.vectors?.length ? <ul>{x.vectors.map((v, j) => <li key={j}>{label(v.subtype)} ({label(v.family)}): {pct(v.packet_share * 100)} of packets — {v.rule}</li>)}</ul> : null}
            </div>
          ))}
          <dl className="facts">
            {r.spoofing ? <><dt>Spoofing</dt><dd>{label(r.spoofing.verdict)} — {r.spoofing.why}</dd></> : null}
            {r.botnet ? <><dt>Botnet</dt><dd>{label(r.botnet.verdict)} — {r.botnet.why}</dd></> : null}
            {r.countries?.length ? <><dt>Countries</dt><dd>{r.countries.slice(0, 8).map((c) => `${c.country} ${Math.round(c.pct)} %`).join(', ')}</dd></> : null}
          </dl>
          {r.recommendations?.length ? (
            <>
              <h4>Recommended mitigation</h4>
              <ul>{r.recommendations.map((x, k) => <li key={k}><strong>{x.kind}</strong> for <code>{x.target}</code>: {x.reason}</li>)}</ul>
            </>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
