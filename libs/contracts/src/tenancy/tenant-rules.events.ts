import { z } from 'zod';
import { defineEvent } from '../define.js';
import { TenantId } from '../identity.schemas.js';

/** A tenant's own rules that every task of it needs: which agent runs, which tasks are scored or collected. */
export const TenantRuleKind = z.enum(['default-agent', 'scoring-rules', 'dataset-rules']);
export type TenantRuleKind = z.infer<typeof TenantRuleKind>;

/**
 * An admin changed one kind of a tenant's rules (its default agent, a scoring rule, a dataset with a
 * rule). Every orchestrator replica keeps each tenant's rules in memory (read once, not per task) and
 * drops that tenant's copy of that kind when it hears this, so the next task on any replica follows
 * the change. Core NATS, at most once: a replica that misses it reads them again when its copy expires
 * (TENANT_RULES_CACHE_TTL_MS).
 */
export const TenantRulesChanged = defineEvent({
  template: 'sb.evt.orchestrator.tenant-rules.changed',
  tokens: [],
  payload: z.object({
    tenantId: TenantId,
    kind: TenantRuleKind,
    at: z.string().datetime(),
  }),
  delivery: 'at-most-once',
  producers: ['orchestrator'],
  consumers: ['orchestrator'],
  description:
    "A tenant's default agent, scoring rules or dataset rules changed: every orchestrator replica drops its copy of them. Fire and forget: copies also expire.",
});
