import type { TenantDirectory } from '@switchboard/config';

/**
 * One retention rule: items of `tenant` (any when null) in namespaces of `kind` (any when null) and
 * `key` (any when null) are kept `days` after they were last written (0: until forgotten). Of the
 * rules that match an item, the most specific decides: kind:key over kind over the tenant's default
 * over the platform's (MEMORY_RETENTION_DAYS).
 */
export interface RetentionRule {
  tenant: string | null;
  kind: string | null;
  key: string | null;
  days: number;
  specificity: number;
}

/** The platform's rule and every tenant's from the tenants file (docs/memory.md, "Retention"). */
export function retentionRules(platformDays: number, tenants: TenantDirectory): RetentionRule[] {
  const rules: RetentionRule[] = [
    { tenant: null, kind: null, key: null, days: platformDays, specificity: 0 },
  ];
  for (const tenant of tenants.tenants()) {
    const memory = tenants.settingsOf(tenant)?.memory;
    if (memory?.retentionDays !== undefined)
      rules.push({ tenant, kind: null, key: null, days: memory.retentionDays, specificity: 1 });
    for (const [namespace, days] of Object.entries(memory?.namespaces ?? {})) {
      const at = namespace.indexOf(':');
      const kind = at === -1 ? namespace : namespace.slice(0, at);
      const key = at === -1 ? null : namespace.slice(at + 1);
      rules.push({ tenant, kind, key, days, specificity: key === null ? 3 : 7 });
    }
  }
  return rules;
}

/** Whether any rule deletes anything (otherwise the sweep does not run). */
export const anyRetention = (rules: readonly RetentionRule[]): boolean =>
  rules.some((r) => r.days > 0);
