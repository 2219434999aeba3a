import { describe, expect, it } from '@jest/globals';
import { verifyWords } from './audit-verify';

describe(verifyWords.name, () => {
  it("says a tenant's chain is intact, with its records and tenantSeq range", () => {
    expect(
      verifyWords({
        ok: true,
        scope: 'tenant',
        tenantId: 'acme',
        checked: 12,
        firstTenantSeq: 1,
        lastTenantSeq: 12,
      }),
    ).toBe('The chain of tenant acme is intact: 12 records, tenantSeq 1–12.');
    expect(
      verifyWords({
        ok: true,
        scope: 'tenant',
        tenantId: 'acme',
        checked: 1,
        firstTenantSeq: 4,
        lastTenantSeq: 4,
      }),
    ).toBe('The chain of tenant acme is intact: 1 record, tenantSeq 4.');
    expect(verifyWords({ ok: true, scope: 'tenant', tenantId: 'acme', checked: 0 })).toBe(
      'The chain of tenant acme is intact: it holds no records yet.',
    );
  });

  it('says the whole chain is intact for the platform operator', () => {
    expect(verifyWords({ ok: true, scope: 'all', checked: 1_234 })).toBe(
      "The whole chain is intact: 1,234 records, every tenant's.",
    );
  });

  it('says where a chain breaks: the tenantSeq of a tenant, the row of the whole', () => {
    expect(
      verifyWords({
        ok: false,
        scope: 'tenant',
        tenantId: 'acme',
        checked: 6,
        firstTenantSeq: 1,
        lastTenantSeq: 6,
        firstBrokenSeq: 40,
        firstBrokenTenantSeq: 7,
        reason: 'hash mismatch',
      }),
    ).toBe(
      'The chain of tenant acme is broken at tenantSeq 7 (row 40): hash mismatch. 6 records matched before it (tenantSeq 1–6).',
    );
    expect(
      verifyWords({
        ok: false,
        scope: 'all',
        checked: 39,
        firstBrokenSeq: 40,
        firstBrokenTenantSeq: 7,
      }),
    ).toBe(
      'The whole chain is broken at row 40 (tenantSeq 7 of its tenant): unknown reason. 39 records matched before it.',
    );
  });

  it('names no tenant while tenancy is off (there is one)', () => {
    expect(
      verifyWords(
        {
          ok: true,
          scope: 'tenant',
          tenantId: 'default',
          checked: 3,
          firstTenantSeq: 1,
          lastTenantSeq: 3,
        },
        false,
      ),
    ).toBe('The chain is intact: 3 records.');
    expect(
      verifyWords(
        {
          ok: false,
          scope: 'tenant',
          tenantId: 'default',
          checked: 2,
          firstBrokenSeq: 3,
          firstBrokenTenantSeq: 3,
          reason: 'prevHash mismatch',
        },
        false,
      ),
    ).toBe('The chain is broken at row 3: prevHash mismatch. 2 records matched before it.');
  });
});
