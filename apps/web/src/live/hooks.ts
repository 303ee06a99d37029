import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { LiveEvent } from '../api/types.ts';
import { live, type LiveState } from './live-store.ts';

export function useLive(): LiveState {
  return useSyncExternalStore(live.subscribe, () => live.state);
}

/** Calls `handler` for each stored change the stream reports (the latest handler, without resubscribing). */
export function useLiveEvent(handler: (e: LiveEvent) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => live.onEvent((e) => ref.current(e)), []);
}
