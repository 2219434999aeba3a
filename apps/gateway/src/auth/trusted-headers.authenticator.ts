import { type Actor, DEFAULT_ROLE, Role, UserId } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { forbidden, unauthorized } from './auth.errors.js';
import { type Authenticator, headerOf } from './authenticator.js';
import { TENANCY_OFF, type TenantSettings, tenantFrom } from './tenant.source.js';

const Email = z.string().email().max(320);

/**
 * AUTH_MODE=trusted-headers (the Supabase edge-function pattern): the proxy has validated the
 * user and forwards X-Supabase-User-ID/-Email/-Role (and, with TENANCY=on, the tenant header). They are believed only when the request also
 * carries the shared proxy secret; without it anyone could claim to be anyone.
 */
export class TrustedHeadersAuthenticator implements Authenticator {
  readonly mode = 'trusted-headers' as const;
  private readonly secretDigest: Buffer;

  constructor(
    secret: string,
    private readonly secretHeader: string,
    private readonly tenancy: TenantSettings = TENANCY_OFF,
  ) {
    this.secretDigest = digest(secret);
  }

  async authenticate(request: FastifyRequest): Promise<Actor> {
    const presented = headerOf(request, this.secretHeader);
    if (presented === undefined) {
      throw unauthorized(
        'proxy_secret_missing',
        'request did not come through the trusted proxy (proxy secret header missing)',
      );
    }
    // Compare digests in constant time, so neither length nor content leaks through timing.
    if (!timingSafeEqual(digest(presented), this.secretDigest)) {
      throw unauthorized(
        'proxy_secret_mismatch',
        'request did not come through the trusted proxy (proxy secret does not match)',
      );
    }
    const rawUser = headerOf(request, 'x-supabase-user-id');
    if (rawUser === undefined)
      throw unauthorized('user_header_missing', 'X-Supabase-User-ID is missing');
    const user = UserId.safeParse(rawUser);
    if (!user.success)
      throw unauthorized(
        'bad_user_header',
        `X-Supabase-User-ID ${user.error.issues[0]?.message ?? 'is invalid'}`,
      );
    const role = Role.safeParse(headerOf(request, 'x-supabase-role') ?? DEFAULT_ROLE);
    if (!role.success)
      throw forbidden(
        'bad_role_header',
        `X-Supabase-Role ${role.error.issues[0]?.message ?? 'is invalid'}`,
      );
    const rawEmail = headerOf(request, 'x-supabase-email');
    const email = rawEmail === undefined ? undefined : Email.safeParse(rawEmail);
    if (email && !email.success)
      throw unauthorized('bad_email_header', 'X-Supabase-Email is not an e-mail address');
    const tenantId = tenantFrom(
      this.tenancy,
      headerOf(request, this.tenancy.trustedHeader),
      this.tenancy.trustedHeader,
      role.data,
    );
    return {
      userId: user.data,
      role: role.data,
      ...(email?.success ? { email: email.data } : {}),
      ...(tenantId ? { tenantId } : {}),
    };
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
