import { TenantDirectory } from '@switchboard/config';
import { anyRetention, retentionRules } from './retention-rules.js';

describe('retentionRules', () => {
  it("puts the platform's rule first and each tenant's default, kind and kind:key rules after it", () => {
    const tenants = new TenantDirectory({
      tenants: {
        acme: { memory: { retentionDays: 90, namespaces: { thread: 7, 'tenant:handbook': 0 } } },
        globex: {},
      },
    });
    expect(retentionRules(30, tenants)).toEqual([
      { tenant: null, kind: null, key: null, days: 30, specificity: 0 },
      { tenant: 'acme', kind: null, key: null, days: 90, specificity: 1 },
      { tenant: 'acme', kind: 'thread', key: null, days: 7, specificity: 3 },
      { tenant: 'acme', kind: 'tenant', key: 'handbook', days: 0, specificity: 7 },
    ]);
  });

  it('keeps a namespace key with colons in it whole', () => {
    const tenants = new TenantDirectory({
      tenants: { acme: { memory: { namespaces: { 'agent:a:b': 5 } } } },
    });
    expect(retentionRules(0, tenants)[1]).toMatchObject({ kind: 'agent', key: 'a:b', days: 5 });
  });

  it('runs no sweep when no rule deletes anything', () => {
    expect(anyRetention(retentionRules(0, new TenantDirectory()))).toBe(false);
    const one = new TenantDirectory({ tenants: { acme: { memory: { namespaces: { user: 1 } } } } });
    expect(anyRetention(retentionRules(0, one))).toBe(true);
  });
});
