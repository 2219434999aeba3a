import { z } from 'zod';
import { commandGroup } from '../command-group.js';
import { UserId } from '../identity.schemas.js';
import { ProviderName } from './tool.schemas.js';

export const ProviderGrant = z.object({
  provider: ProviderName,
  grantedBy: z.string(),
  grantedAt: z.string().datetime(),
});
export type ProviderGrant = z.infer<typeof ProviderGrant>;

export const ProviderStatus = z.object({
  provider: ProviderName,
  /** Whether a user must be granted this provider before its tools are offered (`auto` mode). */
  requiresAuthorization: z.boolean(),
  authorized: z.boolean(),
});
export type ProviderStatus = z.infer<typeof ProviderStatus>;

/**
 * The authorization commands, sb.cmd.tools.authorizations.<action>: the gateway's HTTP API sends them.
 */
const authorizations = commandGroup('sb.cmd.tools.authorizations', { callers: ['gateway'] });

export const AuthorizationsList = authorizations.query('list', {
  request: z.object({ userId: UserId.optional() }).strict(),
  response: z.object({
    userId: UserId,
    grants: z.array(ProviderGrant),
    providers: z.array(ProviderStatus),
  }),
  description:
    "A user's provider authorizations and every provider's status for them. Others' only for admins.",
});

export const AuthorizationGrant = authorizations.command('grant', {
  request: z.object({ userId: UserId, provider: ProviderName }).strict(),
  response: z.object({ userId: UserId, grant: ProviderGrant }),
  description:
    "Authorizes a provider for a user (admin only); invalidates the user's cached manifests.",
});

export const AuthorizationRevoke = authorizations.command('revoke', {
  request: z.object({ userId: UserId, provider: ProviderName }).strict(),
  response: z.object({ userId: UserId, provider: ProviderName, revoked: z.boolean() }),
  description:
    "Revokes a provider for a user (admin only); invalidates the user's cached manifests.",
});
