// The dashboard's calls typed by method and path, from the table the server's routes are checked
// against (DASHBOARD_API in contracts): a path the table lacks, a missing `:param`, an unknown query
// key or a wrong body does not compile. Types only: nothing of typebox or contracts is bundled.
import type { DashboardApi } from '@breakwater/contracts';
import type { Static, TSchema } from 'typebox';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
type Key = Extract<keyof DashboardApi, string>;

/** The paths the table has for a method, `:param` placeholders included. */
export type PathOf<M extends Method> = Key extends infer K ? (K extends `${M} ${infer P}` ? P : never) : never;
type AnyPath = PathOf<Method>;
type Entry<M extends Method, P extends string> = DashboardApi[`${M} ${P}` & Key];

/** The reply's `data`. */
export type DataOf<M extends Method, P extends string> = Static<Entry<M, P>['reply']> extends { data: infer D } ? D : never;
/** What the route reads from the body (never: it reads none). */
export type BodyOf<M extends Method, P extends string> = Entry<M, P> extends { body: infer B extends TSchema } ? Static<B> : never;
/** Query keys the route accepts; values go as text, the server validates them. */
export type QueryOf<P extends string> =
  DashboardApi[`GET ${P}` & Key] extends { query: infer Q extends TSchema } ? { [K in keyof Static<Q>]?: string | number | null | undefined } : never;
export type ParamNames<P extends string> = P extends `${string}:${infer N}/${infer R}` ? N | ParamNames<R> : P extends `${string}:${infer N}` ? N : never;

declare const ROUTE: unique symbol;
/** A URL built by url(): it remembers the table path it was filled from. */
export type Url<P extends string> = string & { readonly [ROUTE]: P };

/** What a method's calls accept: a path without placeholders as written, or a url() of any of its paths. */
export type Target<M extends Method> = Url<PathOf<M>> | Exclude<PathOf<M>, `${string}:${string}`>;
export type RouteOf<T> = T extends Url<infer P> ? P : T & string;

type UrlOptions<P extends string> = { query?: QueryOf<P> } & ([ParamNames<P>] extends [never] ? { params?: never } : { params: Record<ParamNames<P>, string | number> });
type UrlArgs<P extends string> = [ParamNames<P>] extends [never] ? [options?: UrlOptions<P>] : [options: UrlOptions<P>];

/** `url('/api/v1/incidents/:id', { params: { id } })`: the path filled in (each value URI-encoded) and the query appended. */
export function url<P extends AnyPath>(path: P, ...args: UrlArgs<P>): Url<P> {
  const options = args[0] as { params?: Record<string, string | number>; query?: Record<string, string | number | null | undefined> } | undefined;
  const filled = path.replace(/:([A-Za-z_]\w*)/g, (_, name: string) => encodeURIComponent(String(options?.params?.[name])));
  return `${filled}${query(options?.query ?? {})}` as Url<P>;
}

/** `?a=1&b=x` from the values that are set (undefined, null and '' are left out), or ''. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
