// Objects are addressed by their UUID (paths.md) or, for agents that were given one, by
// their integer id. One parser, so every route treats a reference the same way.
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ObjectRef = { id: number } | { uuid: string };

export function parseRef(ref: string): ObjectRef | null {
  if (/^\d{1,15}$/.test(ref)) return { id: Number(ref) };
  if (UUID_RE.test(ref)) return { uuid: ref.toLowerCase() };
  return null;
}

/** Looks an object up by whichever kind of reference was given; undefined when malformed. */
export async function byRef<T>(ref: string, byId: (id: number) => Promise<T | undefined>, byUuid: (uuid: string) => Promise<T | undefined>): Promise<T | undefined> {
  const r = parseRef(ref);
  if (!r) return undefined;
  return 'id' in r ? byId(r.id) : byUuid(r.uuid);
}
