import { Tenancy } from '@switchboard/contracts';
import { QuotaTenantParam, UsageQuery } from '../usage/usage.schemas.js';
import { ok, requiredBody } from './openapi.operation-builders.js';
import type { UntaggedOperation } from './openapi.operation.js';

const tenantParam = {
  tenant: {
    schema: QuotaTenantParam,
    description:
      'The tenant, or `*` for the platform-wide default (every tenant without a quota of its own).',
  },
};
/** Setting and removing a quota both answer the quota that applies afterwards. */
const QUOTA_CHANGED = ok('The effective quota after the change.', Tenancy.TenantQuotaView);
const QUOTA_DOCS = 'Limits absent are unlimited; see docs/quotas.md.';

/** Tenant quotas: usage and the quotas themselves (docs/quotas.md). */
export const USAGE_OPERATIONS: UntaggedOperation[] = [
  {
    method: 'get',
    path: '/usage',
    summary: "The caller's tenant's usage now, with its quota",
    description:
      "Today's (UTC) counters of the tenant — tokens, cost, tool calls, delegations — its running tasks and tasks of the last minute, and the quota that applies. An admin of the tenant also gets every user counted today (`users`), anyone else their own counters. `tenant` is the platform operator's (platform-admin) alone: another tenant is 404 for anyone else. Nothing is counted (`metered: false`) for a tenant no quota applies to.",
    query: UsageQuery,
    responses: ok('The usage.', Tenancy.TenantUsage),
    errors: [400, 401, 403, 404, 429, 503],
  },
  {
    method: 'get',
    path: '/tenants/{tenant}/quotas',
    summary: "A tenant's quota (admin)",
    description: `The limits that apply to the tenant and where they come from: its own (\`tenant\`), the platform default (\`platform\`) or none. The platform operator reads any tenant and \`*\`; a tenant's admin only their own (another tenant is 404). ${QUOTA_DOCS}`,
    pathParams: tenantParam,
    responses: ok('The effective quota.', Tenancy.TenantQuotaView),
    errors: [400, 401, 403, 404, 429, 503],
  },
  {
    method: 'put',
    path: '/tenants/{tenant}/quotas',
    summary: "Set a tenant's quota (platform-admin)",
    description: `Replaces the tenant's own quota (\`*\`: the platform default). Every replica of every service applies it to its next check, without a restart. \`{}\` limits nothing but counts the tenant's usage. Audited (\`admin\`, \`quota.set\`). ${QUOTA_DOCS}`,
    pathParams: tenantParam,
    ...requiredBody(Tenancy.TenantQuota),
    responses: QUOTA_CHANGED,
    errors: [400, 401, 403, 415, 429, 503],
  },
  {
    method: 'delete',
    path: '/tenants/{tenant}/quotas',
    summary: "Remove a tenant's quota (platform-admin)",
    description:
      "Removes the tenant's own quota: the platform default applies to it again (for `*`: nothing applies to tenants without their own). Audited (`admin`, `quota.remove`).",
    pathParams: tenantParam,
    responses: QUOTA_CHANGED,
    errors: [400, 401, 403, 429, 503],
  },
];
