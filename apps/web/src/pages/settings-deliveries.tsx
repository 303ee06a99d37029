// A channel's deliveries: the outcome of the test just sent (followed until the outbox settles it) and
// the history, newest first, each with its attempts.
import { useEffect, useState } from 'react';
import { request } from '../api/client.ts';
import { url, type DataOf } from '../api/routes.ts';
import { Problem } from '../components/layout.tsx';
import { time } from '../format.ts';
import { useApi } from '../use-api.ts';

type Delivery = DataOf<'GET', '/api/v1/channels/:id/deliveries'>[number];
const SETTLED = new Set(['delivered', 'failed', 'suppressed']);

const outcomeOf = (d: Delivery) => {
  const last = d.attempts_log.at(-1);
  return [
    d.status,
    d.last_status_code !== null ? `HTTP ${d.last_status_code}` : null,
    last ? `${last.duration_ms} ms` : null,
    `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`,
    d.last_error,
    d.status === 'pending' && d.next_attempt_at ? `next try ${time(d.next_attempt_at)}` : null,
  ].filter(Boolean).join(' · ');
};

/** The test delivery queued at or after `since`, followed until delivered, failed or suppressed (or 30 s). */
export function TestOutcome({ channel, name, since }: { channel: string; name: string; since: number }) {
  const [d, setD] = useState<Delivery | null>(null);
  const [gaveUp, setGaveUp] = useState(false);
  useEffect(() => {
    let stop = false;
    const deadline = Date.now() + 30_000;
    const poll = async () => {
      while (!stop) {
        const page = await request<Delivery[]>('GET', url('/api/v1/channels/:id/deliveries', { params: { id: channel }, query: { limit: 10 } })).catch(() => null);
        const mine = page?.data.find((x) => x.event === 'test' && Date.parse(x.created_at) >= since) ?? null;
        if (!stop) setD(mine);
        if (mine && (SETTLED.has(mine.status) || (mine.status === 'pending' && mine.attempts > 0))) return;
        if (Date.now() > deadline) return setGaveUp(true);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    void poll();
    return () => {
      stop = true;
    };
  }, [channel, since]);
  const status = d?.status ?? 'pending';
  return (
    <p className={`test-outcome ${status}`} role="status" data-test-outcome={status}>
      Test to {name}: {d ? outcomeOf(d) : gaveUp ? 'still queued' : 'queued…'}
    </p>
  );
}

export function DeliveryHistory({ channel, name }: { channel: string; name: string }) {
  const list = useApi(url('/api/v1/channels/:id/deliveries', { params: { id: channel }, query: { limit: 50 } }));
  return (
    <div className="deliveries" data-deliveries={channel}>
      <h3>Deliveries to {name} <button type="button" className="ghost" onClick={list.reload}>Refresh</button></h3>
      <Problem error={list.error} />
      {list.data && list.data.length === 0 ? <p className="muted">Nothing sent yet.</p> : null}
      {list.data && list.data.length > 0 ? (
        <div className="table-wrap">
          <table data-table="deliveries">
            <thead><tr><th scope="col">Queued</th><th scope="col">Event</th><th scope="col">Outcome</th><th scope="col" className="hide-sm">Attempts</th></tr></thead>
            <tbody>{list.data.map((d) => (
              <tr key={d.id} data-delivery={d.status}>
                <td>{time(d.created_at)}</td><td>{d.event}</td><td>{outcomeOf(d)}</td>
                <td className="hide-sm small">{d.attempts_log.map((a) => `#${a.attempt} ${a.outcome}${a.status_code !== null ? ` ${a.status_code}` : ''} ${a.duration_ms} ms${a.detail ? ` (${a.detail})` : ''}`).join('; ') || '—'}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
