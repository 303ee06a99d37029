// Typed calls for the fleet page, the live log viewer and file transfer: the fleet agents API
// (bare replies, see requestBare), stream tickets and the SSE stream read through fetch (so a
// refusal's message can be shown, which EventSource hides), downloads as blobs, uploads as
// multipart. Shapes from contracts, types only.
import type { AgentDetail, AgentListItem, FileUploaded, StreamKind, StreamTicket } from '@breakwater/contracts';
import { ApiError, requestBare } from './client.ts';

export type { AgentDetail, AgentListItem, FileUploaded, LogLine, MetricsSnapshot } from '@breakwater/contracts';

const id = (v: string) => encodeURIComponent(v);
const CSRF = { 'x-breakwater-csrf': '1' };

async function errorOf(res: Response): Promise<ApiError> {
  const json = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  return new ApiError(res.status, json?.error?.code ?? 'http_error', json?.error?.message ?? `${res.status} ${res.statusText}`);
}

export interface SseEvent { event: string; data: unknown }

export const fleetApi = {
  list: () => requestBare<AgentListItem[]>('GET', '/api/agents'),
  detail: (agent: string) => requestBare<AgentDetail>('GET', `/api/agents/${id(agent)}`),
  remove: (agent: string) => requestBare<{ status: 'deleted' }>('DELETE', `/api/agents/${id(agent)}`),
  ticket: (agent: string, kind: StreamKind) => requestBare<StreamTicket>('POST', `/api/agents/${id(agent)}/stream-tickets`, { kind }),

  /** Opens a stream with a fresh ticket; resolves once it is open (or throws the server's refusal), then calls onEvent per event until the signal aborts. */
  async stream(agent: string, kind: StreamKind, query: Record<string, string>, onEvent: (e: SseEvent) => void, signal: AbortSignal): Promise<{ done: Promise<void> }> {
    const t = await fleetApi.ticket(agent, kind);
    const q = new URLSearchParams({ ...query, token: t.ticket });
    const res = await fetch(`/api/agents/${id(agent)}/stream/${kind}?${q.toString()}`, { signal, headers: { accept: 'text/event-stream' } });
    if (!res.ok || !res.body) throw await errorOf(res);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const done = (async () => {
      let buf = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += value;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let event = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (data) onEvent({ event, data: JSON.parse(data) as unknown });
          }
        }
      } catch {
        /* aborted or cut: the caller shows the stream as closed */
      }
    })();
    return { done };
  },

  async download(agent: string, path: string): Promise<{ blob: Blob; sha256: string | null; name: string }> {
    const res = await fetch(`/api/agents/${id(agent)}/files?path=${encodeURIComponent(path)}`, { credentials: 'same-origin' });
    if (!res.ok) throw await errorOf(res);
    return { blob: await res.blob(), sha256: res.headers.get('x-content-sha256'), name: path.split('/').pop() || 'download' };
  },

  async upload(agent: string, file: File, dest: string): Promise<FileUploaded> {
    const f = new FormData();
    f.append('dest', dest);
    f.append('file', file, file.name);
    const res = await fetch(`/api/agents/${id(agent)}/files`, { method: 'POST', headers: CSRF, body: f, credentials: 'same-origin' });
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as FileUploaded;
  },
};
