import type { QuotaSettings } from '@switchboard/runtime';
import type { GatewayEnv } from '../config/gateway.env.js';

/**
 * The gateway's tenant quotas (TenantQuotasService, docs/quotas.md). Unlike the per-user rate limits,
 * a tenant under a quota is refused while Redis is unreachable: a quota is a cost control.
 */
export const gatewayQuotaSettings = (
  config: Pick<GatewayEnv, 'QUOTA_RETRY_AFTER_SECONDS'>,
): QuotaSettings => ({ concurrencyRetryAfterSeconds: config.QUOTA_RETRY_AFTER_SECONDS });
