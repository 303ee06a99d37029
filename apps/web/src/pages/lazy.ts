// Every page but the overview and sign-in is its own chunk, fetched when first opened: the first
// load then carries only the shell, the live store and the overview (bench/dashboard measures it),
// and what a page pulls in (TypeBox schemas for its forms, uPlot) arrives with that page.
// A new page: one line here, `export const XPage = page(() => import('./x.tsx'), 'XPage')`.
import { lazy, type ComponentType } from 'react';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each page's own props type is kept by the cast below
function page<M extends Record<K, ComponentType<any>>, K extends keyof M & string>(load: () => Promise<M>, name: K): M[K] {
  return lazy(async () => ({ default: (await load())[name] })) as unknown as M[K];
}

export const NodesPage = page(() => import('./nodes.tsx'), 'NodesPage');
export const NodePage = page(() => import('./node.tsx'), 'NodePage');
export const IncidentsPage = page(() => import('./incidents.tsx'), 'IncidentsPage');
export const IncidentPage = page(() => import('./incident.tsx'), 'IncidentPage');
export const MitigationPage = page(() => import('./mitigation.tsx'), 'MitigationPage');
export const ScrubbingPage = page(() => import('./scrubbing.tsx'), 'ScrubbingPage');
export const RunbooksPage = page(() => import('./runbooks.tsx'), 'RunbooksPage');
export const ProfilesPage = page(() => import('./profiles.tsx'), 'ProfilesPage');
export const CollectorsPage = page(() => import('./collectors.tsx'), 'CollectorsPage');
export const FleetPage = page(() => import('./fleet.tsx'), 'FleetPage');
export const FleetDeployPage = page(() => import('./fleet-deploy.tsx'), 'FleetDeployPage');
export const SettingsPage = page(() => import('./settings.tsx'), 'SettingsPage');
