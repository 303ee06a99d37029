// In-process fan-out of what changed, per workspace: incident lifecycle and mitigation rule
// changes are published here after they are stored; live views (dashboard stream, agent push)
// subscribe. Delivery is best effort by design — a subscriber that misses an event reloads
// from the API, which stays the source of truth.
import type { LiveEvent } from '@breakwater/contracts';

export type { LiveEvent };

export type LiveListener = (event: LiveEvent) => void;

export class LiveBus {
  readonly #byWorkspace = new Map<string, Set<LiveListener>>();

  subscribe(workspaceId: string, listener: LiveListener): () => void {
    let set = this.#byWorkspace.get(workspaceId);
    if (!set) this.#byWorkspace.set(workspaceId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#byWorkspace.delete(workspaceId);
    };
  }

  publish(workspaceId: string, event: LiveEvent): void {
    const set = this.#byWorkspace.get(workspaceId);
    if (!set) return;
    for (const listener of [...set]) {
      try { listener(event); } catch { /* one broken subscriber must not starve the others */ }
    }
  }
}
