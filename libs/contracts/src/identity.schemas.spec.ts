import {
  DEFAULT_TENANT,
  isAdmin,
  PLATFORM_ADMIN_ROLE,
  sameTenant,
  spansTenants,
  TenantId,
  tenantOf,
} from './identity.schemas.js';

describe('tenants', () => {
  it('accepts path- and subject-safe tenant ids and names the rule when refusing one', () => {
    for (const ok of ['default', 'acme', 'Acme_2', '3f2c9a1e-0b7d-4c3e-9a55-1c2d3e4f5a6b'])
      expect(TenantId.safeParse(ok).success).toBe(true);
    for (const bad of ['', '-acme', 'acme.eu', 'a*', 'a>', '../x', 'a b', 'x'.repeat(65)]) {
      const r = TenantId.safeParse(bad);
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/letters, digits/);
    }
  });

  it('puts an actor without a tenant in the default tenant', () => {
    expect(tenantOf({ tenantId: 'acme' })).toBe('acme');
    expect(tenantOf({})).toBe(DEFAULT_TENANT);
    expect(tenantOf(undefined)).toBe(DEFAULT_TENANT);
  });

  it("lets an actor see its own tenant's things only, and the platform operator every tenant's", () => {
    const ann = { role: 'admin', tenantId: 'acme' };
    expect(sameTenant(ann, 'acme')).toBe(true);
    expect(sameTenant(ann, 'globex')).toBe(false);
    expect(sameTenant(ann, null)).toBe(false);
    expect(sameTenant({ role: 'user' }, null)).toBe(true);
    expect(sameTenant({ role: 'user' }, DEFAULT_TENANT)).toBe(true);
    expect(sameTenant({ role: PLATFORM_ADMIN_ROLE, tenantId: 'ops' }, 'globex')).toBe(true);
    expect(spansTenants({ role: 'admin' })).toBe(false);
  });

  it('makes the platform operator an admin everywhere, and a tenant admin nothing more', () => {
    expect(isAdmin({ role: PLATFORM_ADMIN_ROLE })).toBe(true);
    expect(isAdmin({ role: 'admin' })).toBe(true);
    expect(isAdmin({ role: 'user' })).toBe(false);
  });
});
