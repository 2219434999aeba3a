import type { AuthMode, AuthOptions } from '@switchboard/client';

export type { AuthMode, ConsoleConfig, Me } from '@switchboard/client';

/** What the user gave on the sign-in page. Kept for the browser tab only (sessionStorage). */
export interface Credentials {
  mode: AuthMode;
  /** dev mode: X-User-Id and X-User-Role. */
  userId?: string;
  role?: string;
  /** dev mode: X-Tenant-Id (read by a gateway with TENANCY=true; absent: the tenant `default`). */
  tenant?: string;
  /** jwt mode: the bearer token. */
  token?: string;
}

const KEY = 'switchboard-console:credentials';

/** Storage as the console uses it (sessionStorage in the browser, a map in tests). */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function loadCredentials(store: KeyValueStore): Credentials | undefined {
  try {
    const raw = store.getItem(KEY);
    const c = raw ? (JSON.parse(raw) as Credentials) : undefined;
    return c && ['dev', 'jwt', 'trusted-headers'].includes(c.mode) ? c : undefined;
  } catch {
    return undefined;
  }
}

export function saveCredentials(store: KeyValueStore, c: Credentials): void {
  store.setItem(KEY, JSON.stringify(c));
}

export function clearCredentials(store: KeyValueStore): void {
  store.removeItem(KEY);
}

/**
 * How the client authenticates the user, per mode of the gateway: the dev headers, the bearer token,
 * or nothing behind the trusted proxy (the proxy adds the user's headers itself).
 */
export function authOf(c: Credentials | undefined): AuthOptions {
  switch (c?.mode) {
    case undefined:
    case 'trusted-headers':
      return {};
    case 'dev':
      return {
        dev: {
          ...(c.userId ? { userId: c.userId } : {}),
          ...(c.role ? { role: c.role } : {}),
          ...(c.tenant ? { tenantId: c.tenant } : {}),
        },
      };
    case 'jwt':
      return c.token?.trim() ? { token: c.token.trim() } : {};
  }
}

/** The gateway's base URL for a page at `<base>console/…`. */
export function gatewayBase(pageUrl: string): string {
  const u = new URL(pageUrl);
  const at = u.pathname.lastIndexOf('/console/');
  u.pathname = at >= 0 ? u.pathname.slice(0, at + 1) : '/';
  u.search = '';
  u.hash = '';
  return u.toString();
}
