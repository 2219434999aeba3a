import type { Actor } from '@switchboard/contracts';
import {
  ALL_TENANTS,
  audienceOf,
  audienceWhere,
  scopeOf,
  taskRefOf,
  tenantWhere,
} from './tenant-scope.js';

describe('tenant scope', () => {
  it("limits a user's and an admin's reads to their tenant, and the platform operator's to none", () => {
    expect(scopeOf({ role: 'user', tenantId: 'acme' })).toBe('acme');
    expect(scopeOf({ role: 'admin', tenantId: 'acme' })).toBe('acme');
    expect(scopeOf({ role: 'platform-admin', tenantId: 'acme' })).toBe(ALL_TENANTS);
  });

  it('takes an actor without a tenant (tenancy off), or no actor, as one of the default tenant', () => {
    expect(scopeOf({ role: 'admin' })).toBe('default');
    expect(scopeOf(undefined)).toBe('default');
  });

  it('puts the tenant in the where clause, or nothing for every tenant', () => {
    expect(tenantWhere('acme')).toEqual({ tenantId: 'acme' });
    expect(tenantWhere(ALL_TENANTS)).toEqual({});
  });

  it("names a submission's task in its submitter's tenant", () => {
    const actor = { userId: 'ann', role: 'user' };
    expect(taskRefOf({ taskId: 't', actor: { ...actor, tenantId: 'acme' } })).toEqual({
      taskId: 't',
      tenantId: 'acme',
    });
    expect(taskRefOf({ taskId: 't', actor })).toEqual({ taskId: 't', tenantId: 'default' });
  });

  it("lets a user see their own things, an admin their tenant's, the platform operator every tenant's", () => {
    expect(audienceOf({ userId: 'ann', role: 'user', tenantId: 'acme' })).toEqual({
      scope: 'acme',
      userId: 'ann',
    });
    expect(audienceOf({ userId: 'bob', role: 'admin', tenantId: 'acme' })).toEqual({
      scope: 'acme',
    });
    expect(audienceOf({ userId: 'op', role: 'platform-admin', tenantId: 'acme' })).toEqual({
      scope: ALL_TENANTS,
    });
  });

  it("puts an audience in the where clause: its tenant unless every tenant's, its user unless an admin", () => {
    const where = (actor: Actor) => audienceWhere(audienceOf(actor));
    expect(where({ userId: 'ann', role: 'user', tenantId: 'acme' })).toEqual({
      tenantId: 'acme',
      userId: 'ann',
    });
    expect(where({ userId: 'bob', role: 'admin', tenantId: 'acme' })).toEqual({ tenantId: 'acme' });
    expect(where({ userId: 'op', role: 'platform-admin', tenantId: 'acme' })).toEqual({});
    expect(audienceWhere({ scope: ALL_TENANTS, userId: 'ann' })).toEqual({ userId: 'ann' });
  });
});
