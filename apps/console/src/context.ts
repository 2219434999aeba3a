import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api/http.client';
import type { Me } from './api/session';

export interface Session {
  api: Api;
  me: Me;
  /** Where the console keeps a tab's state (the credentials, a run's events). */
  store: Storage;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in console');
  return s;
}
