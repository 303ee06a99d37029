// Breakdowns (protocols, TCP flags, countries) as labelled bars: readable on a phone and by a
// screen reader, where a pie chart is neither.
export function BarList({ title, entries, unit = '', empty = 'Nothing reported' }: { title: string; entries: [string, number][]; unit?: string; empty?: string }) {
  const sorted = [...entries].filter(([, v]) => Number.isFinite(v) && v > 0).sort((a, b) => b[1] - a[1]);
  const max = sorted[0]?.[1] ?? 0;
  const total = sorted.reduce((a, [, v]) => a + v, 0);
  return (
    <section className="card" aria-label={title}>
      <h3>{title}</h3>
      {sorted.length === 0 ? <p className="muted">{empty}</p> : (
        <ul className="bars" data-breakdown={title}>
          {sorted.map(([k, v]) => (
            <li key={k}>
              <span className="bar-label">{k}</span>
              <span className="bar-track"><span className="bar-fill" style={{ width: `${max ? (v / max) * 100 : 0}%` }} /></span>
              <span className="bar-value">{unit === '%' ? `${Math.round(v * 10) / 10} %` : `${v.toLocaleString()}${unit}`}{unit !== '%' && total > 0 ? <span className="muted"> ({Math.round((v / total) * 100)} %)</span> : null}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Accepts {"k": n} or [{key, count}] shapes, as agents send both. */
export function entriesOf(v: unknown): [string, number][] {
  if (Array.isArray(v)) {
    return v.flatMap((x: Record<string, unknown>) => {
      const key = x.key ?? x.name ?? x.country ?? x.flag ?? x.ip ?? x.port;
      const n = Number(x.count ?? x.value ?? x.pct);
      return (typeof key === 'string' || typeof key === 'number') && Number.isFinite(n) ? [[String(key), n] as [string, number]] : [];
    });
  }
  if (v && typeof v === 'object') return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => (Number.isFinite(Number(x)) ? [[k, Number(x)] as [string, number]] : []));
  return [];
}
