import { TenantId, Tenancy } from '@switchboard/contracts';
import { z } from 'zod';

/** GET /usage: the caller's tenant, or (the platform operator) another. */
export const UsageQuery = z
  .object({
    tenant: TenantId.optional().describe(
      "Another tenant's usage (platform-admin only; anyone else gets 404 for a tenant not theirs).",
    ),
  })
  .strict();
export type UsageQuery = z.infer<typeof UsageQuery>;

/** `{tenant}` of /tenants/{tenant}/quotas: a tenant, or `*` for the platform-wide default. */
export const QuotaTenantParam = TenantId.or(z.literal(Tenancy.PLATFORM_QUOTA)).describe(
  'The tenant, or `*` for the platform-wide default (every tenant without a quota of its own).',
);
