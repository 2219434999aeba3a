import { isDomainError, Tenancy } from '@switchboard/contracts';

/**
 * Runs a read or write of the quota store: Redis failing is UPSTREAM_UNAVAILABLE (503, retryable)
 * naming the tenant, never a 500.
 */
export async function quotaStore<T>(tenantId: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (isDomainError(e)) throw e;
    throw Tenancy.quotaUnavailableError(tenantId, e);
  }
}
