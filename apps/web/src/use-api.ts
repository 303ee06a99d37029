import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, request, type Page } from './api/client.ts';
import type { DataOf, RouteOf, Target } from './api/routes.ts';

export interface Loaded<T> {
  data: T | undefined;
  meta: Page<T>['meta'];
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null: nothing yet), again whenever it changes or reload() is called; typed by its route. */
export function useApi<P extends Target<'GET'>>(path: P | null): Loaded<DataOf<'GET', RouteOf<P>>> {
  type T = DataOf<'GET', RouteOf<P>>;
  const [state, setState] = useState<{ page?: Page<T>; error: ApiError | null; loading: boolean }>({ error: null, loading: path !== null });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    if (path === null) return;
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    request<T>('GET', path).then(
      (page) => mine === seq.current && setState({ page, error: null, loading: false }),
      (err: unknown) => mine === seq.current && setState((s) => ({ ...s, error: err instanceof ApiError ? err : new ApiError(0, 'error', String(err)), loading: false })),
    );
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.page?.data, meta: state.page?.meta, error: state.error, loading: state.loading, reload };
}
