import type { AuditTrail } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';

/**
 * The real TenantRefusals over an audit spy that the use case under test records in too, so a spec
 * sees its success and refusal records in one list. `settled` waits for the refusals' background
 * checks (the use cases do not wait for them).
 */
export function refusalsSpy() {
  const records: Record<string, unknown>[] = [];
  const audit = {
    record: async (r: Record<string, unknown>) => void records.push(r),
  } as unknown as AuditTrail;
  const pending: Promise<void>[] = [];
  class Awaitable extends TenantRefusals {
    override ifElsewhere(...args: Parameters<TenantRefusals['ifElsewhere']>): Promise<void> {
      const checked = super.ifElsewhere(...args);
      pending.push(checked);
      return checked;
    }
  }
  const refusals = new Awaitable(audit, { warn: () => undefined } as unknown as Logger);
  return { refusals, audit, records, settled: () => Promise.all(pending) };
}
