import type { SwitchboardClient } from '@switchboard/client';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from './api/session';

export interface Session {
  /** The gateway's API, as the signed-in user. */
  client: SwitchboardClient;
  /** The headers that authenticate the user, for the protocol clients (AG-UI, MCP) and examples. */
  headers: Record<string, string>;
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
