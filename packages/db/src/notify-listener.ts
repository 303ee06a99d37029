// One dedicated PostgreSQL connection that LISTENs on a channel and comes back by itself when
// it is lost. It says when it is (re)connected, so its user can catch up on what it missed:
// notifications sent while no connection listened are gone for good.
import pg from 'pg';

export interface NotifyListenerHandlers {
  onNotify(payload: string): void;
  /** After each successful LISTEN, the first included. */
  onListening(): void;
  onLost(err: Error): void;
}

export interface NotifyListener {
  readonly listening: boolean;
  close(): Promise<void>;
}

export function listenForNotifications(url: string, channel: string, h: NotifyListenerHandlers, retryMs = 250): NotifyListener {
  let client: pg.Client | null = null;
  let listening = false;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const lost = (c: pg.Client, err: Error) => {
    if (client !== c) return;
    client = null;
    listening = false;
    c.removeAllListeners();
    c.on('error', () => undefined);
    void c.end().catch(() => undefined);
    if (closed) return;
    h.onLost(err);
    retry = setTimeout(connect, retryMs);
  };

  const connect = () => {
    retry = null;
    if (closed) return;
    const c = new pg.Client({ connectionString: url, keepAlive: true });
    client = c;
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c, new Error('connection ended')));
    c.on('notification', (n) => {
      if (n.channel === channel) h.onNotify(n.payload ?? '');
    });
    c.connect()
      .then(() => c.query(`LISTEN ${pg.escapeIdentifier(channel)}`))
      .then(() => {
        if (client !== c) return;
        listening = true;
        h.onListening();
      })
      .catch((err: Error) => lost(c, err));
  };
  connect();

  return {
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      listening = false;
      if (c) {
        c.removeAllListeners();
        c.on('error', () => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
}
