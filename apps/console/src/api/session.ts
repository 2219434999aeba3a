/** How the gateway authenticates (GET /console/config.json says which). */
export type AuthMode = 'dev' | 'jwt' | 'trusted-headers';

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

/** Who the gateway takes the user for (GET /me). */
export interface Me {
  userId: string;
  role: string;
  email?: string;
  admin: boolean;
  /** The tenant the user acts in (`default` while tenancy is off). */
  tenantId: string;
  /** The gateway keeps tenants apart (TENANCY=true): the console names the tenant. */
  tenancy: boolean;
  /** The platform operator (role platform-admin): sees and administers every tenant. */
  platformAdmin: boolean;
  authMode: AuthMode;
}

export interface ConsoleConfig {
  authMode: AuthMode;
  version: string;
  defaultUserId?: string;
  /**
   * Whether the gateway keeps tenants apart. Not sent by today's gateway: until it is, the dev sign-in
   * always offers the tenant field, and the views learn it from GET /me.
   */
  tenancy?: boolean;
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
 * The headers that authenticate a request, as the API expects them per mode. Behind the trusted
 * proxy the browser sends nothing: the proxy adds the user's headers itself.
 */
export function authHeaders(c: Credentials | undefined): Record<string, string> {
  if (!c) return {};
  switch (c.mode) {
    case 'dev':
      return {
        ...(c.userId ? { 'x-user-id': c.userId } : {}),
        ...(c.role ? { 'x-user-role': c.role } : {}),
        ...(c.tenant ? { 'x-tenant-id': c.tenant } : {}),
      };
    case 'jwt':
      return c.token ? { authorization: `Bearer ${c.token.trim()}` } : {};
    case 'trusted-headers':
      return {};
  }
}
