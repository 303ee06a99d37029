// Two small things every provider client needs (mitigation adapters and scrubbing providers alike).

/** base + path, without doubling or dropping the slash between them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * Runs operations one after another. Provider clients read, then write (is the entry there? add
 * it): two overlapping calls for one object would otherwise both see it absent and add it twice.
 */
export function serialQueue(): <T>(op: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(op: () => Promise<T>) => {
    const run = tail.then(op, op);
    tail = run.catch(() => undefined);
    return run;
  };
}
