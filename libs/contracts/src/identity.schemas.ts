import { z } from 'zod';

/** A role name. `admin` bypasses role checks (but not admin-only restrictions it is itself subject to). */
export const Role = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be 1-32 lowercase letters, digits, "_" or "-"');
export type Role = z.infer<typeof Role>;

export const ADMIN_ROLE = 'admin';
export const DEFAULT_ROLE = 'user';

export const UserId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._@:+-]+$/, 'may hold letters, digits and . _ @ : + - only');
export type UserId = z.infer<typeof UserId>;

/**
 * A tenant: the organisation a user acts in (docs/tenancy.md). It names stored rows and task-log
 * folders, so it is one path and subject token: letters, digits, "_" and "-", case-sensitive.
 */
export const TenantId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    'must be 1-64 letters, digits, "_" or "-", starting with a letter or digit',
  );
export type TenantId = z.infer<typeof TenantId>;

/** The tenant of a deployment with tenancy off, and of everything stored before tenancy was on. */
export const DEFAULT_TENANT = 'default';

/**
 * The platform operator: spans tenants (sees and administers every tenant's things). Separate from
 * `admin`, which is an admin of its own tenant only.
 */
export const PLATFORM_ADMIN_ROLE = 'platform-admin';

/** Who is acting: set by the gateway after authentication, carried in NATS headers. */
export const Actor = z.object({
  userId: UserId,
  role: Role,
  email: z.string().email().max(320).optional(),
  /** The tenant the user acts in; absent means DEFAULT_TENANT (tenancy off, or an older sender). */
  tenantId: TenantId.optional(),
});
export type Actor = z.infer<typeof Actor>;

/** The tenant an actor acts in (DEFAULT_TENANT when it names none). */
export const tenantOf = (actor: Pick<Actor, 'tenantId'> | undefined): TenantId =>
  actor?.tenantId ?? DEFAULT_TENANT;

/** True for the platform operator, whose reads are not limited to one tenant. */
export const spansTenants = (actor: Pick<Actor, 'role'> | undefined): boolean =>
  actor?.role === PLATFORM_ADMIN_ROLE;

/** An admin of the actor's tenant (the platform operator is one in every tenant). */
export const isAdmin = (actor: Pick<Actor, 'role'>): boolean =>
  actor.role === ADMIN_ROLE || actor.role === PLATFORM_ADMIN_ROLE;

/**
 * Whether something stored under `tenantId` is visible to `actor`: its own tenant's things, or any
 * for the platform operator. Every owning service filters its reads with this (or its SQL twin).
 */
export const sameTenant = (
  actor: Pick<Actor, 'role' | 'tenantId'> | undefined,
  tenantId: string | null | undefined,
): boolean => spansTenants(actor) || (tenantId ?? DEFAULT_TENANT) === tenantOf(actor);

export const Uuid = z.string().uuid();
