// The server's background components share one shape: built without I/O, then start() (if they
// have anything to start) and stop(). They are started in order and stopped in reverse, so each
// one stops before what it depends on.
export interface Component {
  start?(): void | Promise<void>;
  stop(): Promise<void>;
}

/** Starts each in order; if one fails, those already started are stopped (in reverse) and the error rethrown. */
export async function startInOrder(components: readonly Component[]): Promise<void> {
  const started: Component[] = [];
  try {
    for (const c of components) {
      await c.start?.();
      started.push(c);
    }
  } catch (err) {
    await stopInReverse(started).catch(() => undefined);
    throw err;
  }
}

export async function stopInReverse(components: readonly Component[]): Promise<void> {
  for (const c of [...components].reverse()) await c.stop();
}
