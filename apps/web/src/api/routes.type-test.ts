// Compile-time checks of the typed client: the dashboard's tsc reads this file (nothing imports it,
// so nothing of it is bundled, and nothing here runs). Each @ts-expect-error is a call that must not
// compile; if one starts compiling, tsc fails on the unused directive.
import type { Static } from 'typebox';
import type { IncidentDetail as IncidentDetailSchema, Me as MeSchema, RuleInfo as RuleInfoSchema } from '@breakwater/contracts';
import { api } from './client.ts';
import { url } from './routes.ts';
import type { DataOf } from './routes.ts';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;
function same<A, B>(proof: Equal<A, B>): void {
  void proof;
}

export function typedClientChecks(id: string): void {
  // Replies are the routes' schemas.
  same<DataOf<'GET', '/api/dash/me'>, Static<typeof MeSchema>>(true);
  same<DataOf<'GET', '/api/v1/incidents/:id'>, Static<typeof IncidentDetailSchema>>(true);
  same<DataOf<'DELETE', '/api/v1/mitigation/rules/:id'>, Static<typeof RuleInfoSchema>>(true);
  void api.get('/api/dash/me').then((_me) => same<typeof _me, Static<typeof MeSchema>>(true));
  void api.get(url('/api/v1/incidents/:id', { params: { id } })).then((_i) => same<typeof _i, Static<typeof IncidentDetailSchema>>(true));

  // @ts-expect-error a path the table does not have
  void api.get('/api/dash/nope');
  // @ts-expect-error a path with a placeholder goes through url()
  void api.get('/api/v1/incidents/:id');
  // @ts-expect-error a GET path is not a DELETE one
  void api.del('/api/dash/me');
  // @ts-expect-error url() needs the path's parameters
  url('/api/v1/incidents/:id');
  // @ts-expect-error a query key the route does not accept
  url('/api/v1/incidents', { query: { colour: 'red' } });
  // @ts-expect-error a body without a required field
  void api.post('/api/dash/login', { email: 'a@example.net' });
  // @ts-expect-error a body field the route does not take
  void api.post('/api/dash/login', { email: 'a@example.net', password: 'x', remember: true });
  // @ts-expect-error a body for a route that reads none
  void api.del(url('/api/dash/tokens/:id', { params: { id } }), {});
}
