import { type Actor, DEFAULT_ROLE, DEFAULT_TENANT, Role, UserId } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import type { FastifyRequest } from 'fastify';
import { unauthorized } from './auth.errors.js';
import { type Authenticator, headerOf } from './authenticator.js';
import { TENANCY_OFF, type TenantSettings, tenantFrom } from './tenant.source.js';

/**
 * AUTH_MODE=dev: the user is X-User-Id, falling back to TB_DEFAULT_USER_ID; an optional
 * X-User-Role sets the role; with TENANCY=on, X-Tenant-Id the tenant. For local use only: the config refuses it with NODE_ENV=production.
 */
export class DevAuthenticator implements Authenticator {
  readonly mode = 'dev' as const;

  constructor(
    private readonly defaultUserId: string,
    private readonly tenancy: TenantSettings = TENANCY_OFF,
  ) {}

  /**
   * One line at start-up naming the user an anonymous request becomes: without it a request runs as
   * someone nobody chose, silently.
   */
  announce(logger: Logger): void {
    logger.info(
      { authMode: this.mode, defaultUserId: this.defaultUserId, defaultRole: DEFAULT_ROLE },
      `AUTH_MODE=dev: a request without X-User-Id runs as "${this.defaultUserId}" (role ${DEFAULT_ROLE}, TB_DEFAULT_USER_ID); the X-User-Id and X-User-Role headers set the user and the role`,
    );
  }

  async authenticate(request: FastifyRequest): Promise<Actor> {
    const user = UserId.safeParse(headerOf(request, 'x-user-id') ?? this.defaultUserId);
    if (!user.success)
      throw unauthorized(
        'bad_user_header',
        `X-User-Id ${user.error.issues[0]?.message ?? 'is invalid'}`,
      );
    const role = Role.safeParse(headerOf(request, 'x-user-role') ?? DEFAULT_ROLE);
    if (!role.success)
      throw unauthorized(
        'bad_role_header',
        `X-User-Role ${role.error.issues[0]?.message ?? 'is invalid'}`,
      );
    // dev mode's tenant is X-Tenant-Id, the default tenant when absent (TENANCY=on only)
    const tenantId = tenantFrom(
      this.tenancy,
      headerOf(request, 'x-tenant-id') ?? DEFAULT_TENANT,
      'X-Tenant-Id',
      role.data,
    );
    return { userId: user.data, role: role.data, ...(tenantId ? { tenantId } : {}) };
  }
}
