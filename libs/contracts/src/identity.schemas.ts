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

/** Who is acting: set by the gateway after authentication, carried in NATS headers. */
export const Actor = z.object({
  userId: UserId,
  role: Role,
  email: z.string().email().max(320).optional(),
});
export type Actor = z.infer<typeof Actor>;

export const isAdmin = (actor: Pick<Actor, 'role'>): boolean => actor.role === ADMIN_ROLE;

export const Uuid = z.string().uuid();
