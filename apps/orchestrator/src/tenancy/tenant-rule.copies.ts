import { Tenancy } from '@switchboard/contracts';
import { type NatsBus, TenantCopies } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';

export type TenantRulesSettings = Pick<OrchestratorEnv, 'TENANT_RULES_CACHE_TTL_MS'>;

/**
 * One kind of a tenant's rules that every task of it reads (its default agent, its scoring rules,
 * its datasets' rules), kept per replica (TenantCopies): a change made here drops every replica's
 * copy of that kind (`Tenancy.TenantRulesChanged`); TENANT_RULES_CACHE_TTL_MS bounds a replica that
 * missed it.
 */
export abstract class TenantRuleCopies<T> extends TenantCopies<
  T,
  typeof Tenancy.TenantRulesChanged
> {
  protected constructor(
    private readonly kind: Tenancy.TenantRuleKind,
    bus: NatsBus,
    config: TenantRulesSettings,
    logger: Logger,
  ) {
    super(bus, logger, {
      event: Tenancy.TenantRulesChanged,
      concerns: (change) => change.kind === kind,
      ttlMs: config.TENANT_RULES_CACHE_TTL_MS,
      what: `a tenant's ${kind}`,
      ttlSetting: 'TENANT_RULES_CACHE_TTL_MS',
    });
  }

  /** The tenant's rules of this kind were just changed (committed) here. */
  ruleChanged(tenantId: string): void {
    this.changed({ tenantId, kind: this.kind, at: new Date().toISOString() });
  }
}
