export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Stored JSON is ours, but a hand-edited row must not take a request down. */
export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text == null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
