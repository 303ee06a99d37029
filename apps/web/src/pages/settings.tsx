// Settings: notification channels and maintenance windows (operators change them), and for admins
// the workspace's limits and agent settings, tokens and users.
import { Link, useLocation } from '../router.ts';
import { PageHeader } from '../components/layout.tsx';
import { useCan } from '../session.tsx';
import { ChannelsSettings } from './settings-channels.tsx';
import { TokensSettings } from './settings-tokens.tsx';
import { UsersSettings } from './settings-users.tsx';
import { WorkspaceSettingsSection } from './settings-workspace.tsx';

export function SettingsPage() {
  const { path } = useLocation();
  const admin = useCan('admin');
  const tabs: [string, string][] = [['/settings/channels', 'Notification channels'], ...(admin ? ([['/settings/workspace', 'Workspace'], ['/settings/tokens', 'Tokens'], ['/settings/users', 'Users']] as [string, string][]) : [])];
  const current = tabs.find(([to]) => path === to)?.[0] ?? '/settings/channels';
  return (
    <>
      <PageHeader title="Settings" />
      <nav className="tabs" aria-label="Settings sections">
        {tabs.map(([to, text]) => <Link key={to} to={to} aria-current={current === to ? 'page' : undefined}>{text}</Link>)}
      </nav>
      {current === '/settings/workspace' && admin ? <WorkspaceSettingsSection /> : current === '/settings/tokens' && admin ? <TokensSettings /> : current === '/settings/users' && admin ? <UsersSettings /> : <ChannelsSettings />}
    </>
  );
}
