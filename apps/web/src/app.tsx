// Signs in (or finds the session), starts the live stream, and picks the page from the URL.
import { Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { api, sessionEvents } from './api/client.ts';
import type { Me } from './api/types.ts';
import { Layout } from './components/layout.tsx';
import { live } from './live/live-store.ts';
// Pages other than the overview load on first use (pages/lazy.ts).
import { CollectorsPage, FleetDeployPage, FleetPage, IncidentPage, IncidentsPage, MitigationPage, NodePage, NodesPage, ProfilesPage, RunbooksPage, ScrubbingPage, SettingsPage } from './pages/lazy.ts';
import { OverviewPage } from './pages/overview.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { match, navigate, useLocation } from './router.ts';
import { SessionContext, type Session } from './session.tsx';

// The stream is opened at once, alongside the session check, rather than after it: the first
// chart then draws one round trip sooner. Without a session it is refused and closed below.
live.start();

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const { path } = useLocation();

  useEffect(() => {
    api.get('/api/dash/me').then(setMe, () => {
      live.stop();
      setMe(null);
    });
    const out = () => {
      live.stop();
      setMe(null);
    };
    sessionEvents.addEventListener('signed-out', out);
    return () => sessionEvents.removeEventListener('signed-out', out);
  }, []);

  useEffect(() => {
    if (me) live.start();
  }, [me]);

  const signOut = useCallback(async () => {
    await api.post('/api/dash/logout').catch(() => undefined);
    live.stop();
    setMe(null);
    navigate('/');
  }, []);
  const session = useMemo<Session | null>(() => (me ? { me, signOut } : null), [me, signOut]);

  if (me === undefined) return <p className="loading" role="status">Loading…</p>;
  if (!session) return <SignIn onSignedIn={setMe} />;
  return (
    <SessionContext.Provider value={session}>
      <Layout><Suspense fallback={<p className="loading" role="status">Loading…</p>}>{route(path)}</Suspense></Layout>
    </SessionContext.Provider>
  );
}

function route(path: string) {
  let m: Record<string, string> | null;
  if (path === '/' || path === '') return <OverviewPage />;
  if (path === '/nodes') return <NodesPage />;
  if ((m = match('/nodes/:id', path))) return <NodePage key={m.id} id={m.id!} />;
  if (path === '/incidents') return <IncidentsPage />;
  if ((m = match('/incidents/:id', path))) return <IncidentPage key={m.id} id={m.id!} />;
  if (path === '/mitigation') return <MitigationPage />;
  if (path === '/scrubbing') return <ScrubbingPage />;
  if (path === '/runbooks') return <RunbooksPage />;
  if (path === '/profiles') return <ProfilesPage />;
  if (path === '/collectors') return <CollectorsPage />;
  if (path === '/fleet') return <FleetPage />;
  if (path === '/fleet/deploy') return <FleetDeployPage />;
  if (path === '/settings' || path.startsWith('/settings/')) return <SettingsPage />;
  return (
    <section>
      <h1>Not found</h1>
      <p>Nothing lives at {path}. <a href="/">Back to the overview</a>.</p>
    </section>
  );
}
