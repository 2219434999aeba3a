import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import { refuseAudited, requireAdmin } from './audited-refusal.js';

/** An audit trail that keeps what it was given. */
function trail() {
  const records: Record<string, unknown>[] = [];
  const audit = {
    record: async (r: Record<string, unknown>) => void records.push(r),
  } as unknown as AuditTrail;
  return { audit, records };
}

describe(refuseAudited.name, () => {
  it('throws FORBIDDEN with the message and records the denial with its details', () => {
    const { audit, records } = trail();
    let thrown: unknown;
    try {
      refuseAudited(
        audit,
        { action: 'authorization.denied', resource: 'tenants/acme/quotas', details: { what: 'x' } },
        'only admins may x',
      );
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code: 'FORBIDDEN', message: 'only admins may x' });
    expect(records).toEqual([
      {
        category: 'auth',
        action: 'authorization.denied',
        outcome: 'denied',
        resource: 'tenants/acme/quotas',
        details: { what: 'x' },
      },
    ]);
  });

  it('records no details key when the refusal has none', () => {
    const { audit, records } = trail();
    expect(() =>
      refuseAudited(audit, { action: 'live.denied', resource: 'live' }, 'admins only'),
    ).toThrow('admins only');
    expect(records).toHaveLength(1);
    expect(Object.keys(records[0] ?? {})).toEqual(['category', 'action', 'outcome', 'resource']);
  });

  it('answers without waiting for a trail that never stores', () => {
    const audit = { record: () => new Promise<void>(() => undefined) } as unknown as AuditTrail;
    expect(() => refuseAudited(audit, { action: 'a', resource: 'r' }, 'no')).toThrow('no');
  });
});

describe(requireAdmin.name, () => {
  const admin = { userId: 'ann', role: 'admin' } as const;
  const user = { userId: 'bob', role: 'user' } as const;

  it('lets an admin through, recording nothing', () => {
    const { audit, records } = trail();
    expect(() =>
      requireAdmin(audit, admin, 'authorizations', 'grant provider authorizations'),
    ).not.toThrow();
    expect(records).toEqual([]);
  });

  it('refuses anyone else with FORBIDDEN naming what they may not do, audited as authorization.denied', () => {
    const { audit, records } = trail();
    expect(() => requireAdmin(audit, user, 'tenants/acme/quotas', 'read tenant quotas')).toThrow(
      'only admins may read tenant quotas',
    );
    expect(records).toEqual([
      {
        category: 'auth',
        action: 'authorization.denied',
        outcome: 'denied',
        resource: 'tenants/acme/quotas',
        details: { what: 'read tenant quotas' },
      },
    ]);
  });
});
