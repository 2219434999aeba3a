import { z } from 'zod';
import { TenantId } from '../identity.schemas.js';

/** How a gateway authenticates its callers (AUTH_MODE; docs/auth.md). */
export const AuthMode = z.enum(['dev', 'jwt', 'trusted-headers']);
export type AuthMode = z.infer<typeof AuthMode>;

/** `GET /me`: who the gateway takes the caller for. */
export const Me = z.object({
  userId: z.string(),
  role: z.string(),
  email: z.string().optional(),
  admin: z.boolean().describe('An admin of its tenant (or the platform operator).'),
  tenantId: TenantId.describe('The tenant the caller acts in (`default` with tenancy off).'),
  tenancy: z.boolean().describe('Whether the gateway runs with TENANCY=true.'),
  platformAdmin: z.boolean().describe('The platform operator (`platform-admin`): spans tenants.'),
  authMode: AuthMode,
});
export type Me = z.infer<typeof Me>;

/** `GET /console/config.json` (public): what the console needs before anyone signs in. */
export const ConsoleConfig = z.object({
  authMode: AuthMode,
  version: z.string(),
  /** dev mode: the user a request without X-User-Id acts as. */
  defaultUserId: z.string().optional(),
});
export type ConsoleConfig = z.infer<typeof ConsoleConfig>;
