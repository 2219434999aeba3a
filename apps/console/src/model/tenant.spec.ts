import { describe, expect, it } from '@jest/globals';
import { identityWords, ignoredTenantNotice, isTenantId, tenantProblem } from './tenant';

describe('tenant ids', () => {
  it('accepts what the gateway accepts, and says what is wrong with anything else', () => {
    for (const ok of ['acme', 'Acme-2', '9lives', 'a_b', 'x'.repeat(64)]) {
      expect(isTenantId(ok)).toBe(true);
      expect(tenantProblem(ok)).toBeUndefined();
    }
    expect(tenantProblem('')).toBeUndefined();
    expect(tenantProblem('  ')).toBeUndefined();
    for (const bad of ['-acme', 'a.b', 'acme corp', 'a:b', '*', 'x'.repeat(65)]) {
      expect(isTenantId(bad)).toBe(false);
      expect(tenantProblem(bad)).toBe(
        `"${bad}" is not a tenant id: 1-64 letters, digits, "_" or "-", starting with a letter or digit`,
      );
    }
  });
});

describe(identityWords.name, () => {
  it('names the tenant when tenancy is on, and the platform operator', () => {
    const base = { tenancy: false, tenantId: 'default', platformAdmin: false };
    expect(identityWords(base)).toEqual([]);
    expect(identityWords({ ...base, tenancy: true, tenantId: 'acme' })).toEqual(['tenant acme']);
    expect(identityWords({ ...base, tenancy: true, platformAdmin: true })).toEqual([
      'tenant default',
      'platform operator',
    ]);
    expect(identityWords({ ...base, platformAdmin: true })).toEqual(['platform operator']);
  });
});

describe(ignoredTenantNotice.name, () => {
  it('warns when a tenant was given to a gateway that ignores it, and only then', () => {
    expect(ignoredTenantNotice({ tenant: 'acme' }, { tenancy: false })).toContain(
      'the tenant "acme" you gave is ignored',
    );
    expect(ignoredTenantNotice({ tenant: 'acme' }, { tenancy: true })).toBeUndefined();
    expect(ignoredTenantNotice({ tenant: 'default' }, { tenancy: false })).toBeUndefined();
    expect(ignoredTenantNotice({}, { tenancy: false })).toBeUndefined();
    expect(ignoredTenantNotice(undefined, { tenancy: false })).toBeUndefined();
  });
});
