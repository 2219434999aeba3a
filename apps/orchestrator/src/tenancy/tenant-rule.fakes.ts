import type { Tenancy } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { TenantRulesSettings } from './tenant-rule.copies.js';

/**
 * What a tenantRuleCopies provider needs in a spec: a bus that records the changes it announces (and takes no
 * subscription), its settings (`ttlMs`: 0 reads through, as without copies) and a quiet logger.
 */
export function ruleCopiesDeps(ttlMs = 0) {
  const announced: Tenancy.TenantRuleKind[] = [];
  const bus = {
    publish: (_contract: unknown, _tokens: unknown, change: { kind: Tenancy.TenantRuleKind }) =>
      void announced.push(change.kind),
  } as unknown as NatsBus;
  const config: TenantRulesSettings = { TENANT_RULES_CACHE_TTL_MS: ttlMs };
  const logger = { warn: () => undefined } as unknown as Logger;
  return { bus, config, logger, announced };
}
