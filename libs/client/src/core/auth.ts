/**
 * A bearer token: a fixed string, or a function the client asks before every request — `refresh: true`
 * when the gateway has just refused the last token (401), so a provider that caches its token knows
 * to get a new one. A function that returns undefined sends no Authorization header.
 */
export type TokenSource =
  string | ((context: { refresh: boolean }) => string | undefined | Promise<string | undefined>);

/**
 * The development gateway's caller (`AUTH_MODE=dev`, docs/auth.md): `X-User-Id`, `X-User-Role` and,
 * with tenancy on, `X-Tenant-Id`. Never accepted outside dev mode.
 */
export interface DevIdentity {
  /** Absent: the gateway's default user (TB_DEFAULT_USER_ID). */
  userId?: string;
  role?: string;
  tenantId?: string;
}

/** How the client authenticates: a token, the dev headers, or neither (behind a trusted proxy). */
export interface AuthOptions {
  token?: TokenSource;
  dev?: DevIdentity;
}

/** The headers that authenticate a request; secrets stay in here and in the request they go with. */
export class Credentials {
  constructor(private readonly options: AuthOptions) {}

  /** Whether a refused token can be replaced by asking the token function again. */
  get refreshable(): boolean {
    return typeof this.options.token === 'function';
  }

  async headers(refresh = false): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    const { dev, token } = this.options;
    if (dev) {
      if (dev.userId) headers['x-user-id'] = dev.userId;
      if (dev.role) headers['x-user-role'] = dev.role;
      if (dev.tenantId) headers['x-tenant-id'] = dev.tenantId;
    }
    const value = typeof token === 'function' ? await token({ refresh }) : token;
    if (value !== undefined && value.trim() !== '')
      headers['authorization'] = `Bearer ${value.trim()}`;
    return headers;
  }
}
