import { useState, type ReactNode } from 'react';
import { Link, useLocation } from '../router.ts';
import { useSession } from '../session.tsx';
import { useLive } from '../live/hooks.ts';

const NAV: [string, string][] = [['/', 'Overview'], ['/nodes', 'Nodes'], ['/incidents', 'Incidents'], ['/mitigation', 'Mitigation'], ['/scrubbing', 'Scrubbing'], ['/runbooks', 'Runbooks'], ['/profiles', 'Profiles'], ['/collectors', 'Flows'], ['/fleet', 'Fleet'], ['/fleet/deploy', 'Add agents'], ['/settings', 'Settings']];

type Theme = 'light' | 'dark' | 'system';

export function applyTheme(t: Theme): void {
  if (t === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
  window.dispatchEvent(new Event('bw:theme'));
}

export function storedTheme(): Theme {
  const t = localStorage.getItem('bw-theme');
  return t === 'light' || t === 'dark' ? t : 'system';
}

export function Layout({ children }: { children: ReactNode }) {
  const { me, signOut } = useSession();
  const { path } = useLocation();
  const { connected, frame } = useLive();
  const [theme, setTheme] = useState<Theme>(storedTheme);
  const nextTheme = () => {
    const t: Theme = theme === 'system' ? 'dark' : theme === 'dark' ? 'light' : 'system';
    if (t === 'system') localStorage.removeItem('bw-theme');
    else localStorage.setItem('bw-theme', t);
    setTheme(t);
    applyTheme(t);
  };
  const current = (to: string) => (to === '/' ? path === '/' || path.startsWith('/nodes/') : to === '/nodes' ? path === '/nodes' : to === '/fleet' ? path === '/fleet' : path.startsWith(to));
  const attack = frame?.counts.attack ?? 0;
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Breakwater overview">
          <img src="/favicon.svg" alt="" width="24" height="24" /> <span>Breakwater</span>
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([to, text]) => (
              <li key={to}>
                <Link to={to} aria-current={current(to) ? 'page' : undefined}>{text}{to === '/incidents' && frame && frame.active_incidents > 0 ? <span className="count" aria-label={`${frame.active_incidents} active`}>{frame.active_incidents}</span> : null}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-end">
          <span className={`conn ${connected ? 'on' : 'off'}${attack > 0 ? ' alarm' : ''}`} role="status" title={connected ? 'Live updates connected' : 'Live updates reconnecting'}>
            <span className="dot" aria-hidden="true" />{connected ? (attack > 0 ? `${attack} under attack` : 'Live') : 'Reconnecting…'}
          </span>
          <button type="button" className="ghost" onClick={nextTheme} aria-label={`Theme: ${theme}. Change theme`} title="Change theme">
            {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}
          </button>
          <span className="who" title={me.email}>{me.name} <small className="muted">({me.role})</small></span>
          <button type="button" className="ghost" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}

export function PageHeader({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      {children ? <div className="actions">{children}</div> : null}
    </div>
  );
}

export function Problem({ error }: { error: { message: string } | null | undefined }) {
  return error ? <p className="problem" role="alert">{error.message}</p> : null;
}
