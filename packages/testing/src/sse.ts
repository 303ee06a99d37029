// Server-sent events as a test reads them: each block that names an event, as {event, data} with
// its data parsed as JSON (null when the block has none). `cancel` ends the reading at once, even
// while a read is pending (the events then end too).

export interface SseEvent {
  event: string;
  // Whatever JSON the stream sent: tests read its fields as they expect them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

export function readSse(body: ReadableStream<Uint8Array>): { events: AsyncGenerator<SseEvent>; cancel: () => Promise<void> } {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  async function* events(): AsyncGenerator<SseEvent> {
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event) yield { event, data: data ? JSON.parse(data) : null };
      }
    }
  }
  return { events: events(), cancel: () => reader.cancel().catch(() => undefined) };
}
