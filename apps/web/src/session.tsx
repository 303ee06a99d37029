// Who is signed in, and what their role lets them do. The API enforces roles on its own;
// the dashboard only hides what would be refused.
import { createContext, useContext } from 'react';
import type { Me, Role } from './api/types.ts';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export interface Session {
  me: Me;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in view');
  return s;
}

export function useCan(min: Role): boolean {
  return RANK[useSession().me.role] >= RANK[min];
}
