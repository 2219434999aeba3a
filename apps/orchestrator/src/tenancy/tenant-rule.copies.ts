import { Inject, Injectable, type Type } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { Tenancy } from '@switchboard/contracts';
import { NatsBus, TenantCopies } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';

export type TenantRulesSettings = Pick<OrchestratorEnv, 'TENANT_RULES_CACHE_TTL_MS'>;

/** What a feature uses of one kind's copies. */
export interface RuleCopies<T> extends Pick<
  TenantCopies<T, typeof Tenancy.TenantRulesChanged>,
  'get' | 'drop' | 'onModuleInit' | 'onApplicationShutdown'
> {
  /** The tenant's rules of this kind were just changed (committed) here. */
  ruleChanged(tenantId: string): void;
}

/**
 * One kind of a tenant's rules that every task of it reads (its default agent, its scoring rules,
 * its datasets' rules), read from `Source` (a repository) by `read` and kept per replica
 * (TenantCopies): a change made here drops every replica's copy of that kind
 * (`Tenancy.TenantRulesChanged`); TENANT_RULES_CACHE_TTL_MS bounds a replica that missed it. A
 * provider of its own per kind.
 */
export function tenantRuleCopies<S, T>(
  kind: Tenancy.TenantRuleKind,
  Source: Type<S>,
  read: (source: S, tenantId: string) => Promise<T>,
): new (source: S, bus: NatsBus, config: TenantRulesSettings, logger: Logger) => RuleCopies<T> {
  @Injectable()
  class Copies extends TenantCopies<T, typeof Tenancy.TenantRulesChanged> implements RuleCopies<T> {
    constructor(
      @Inject(Source) private readonly source: S,
      @Inject(NatsBus) bus: NatsBus,
      @Inject(APP_CONFIG) config: TenantRulesSettings,
      @Inject(LOGGER) logger: Logger,
    ) {
      super(bus, logger, {
        event: Tenancy.TenantRulesChanged,
        concerns: (change) => change.kind === kind,
        ttlMs: config.TENANT_RULES_CACHE_TTL_MS,
        what: `a tenant's ${kind}`,
        ttlSetting: 'TENANT_RULES_CACHE_TTL_MS',
      });
    }

    ruleChanged(tenantId: string): void {
      this.changed({ tenantId, kind, at: new Date().toISOString() });
    }

    protected override read(tenantId: string): Promise<T> {
      return read(this.source, tenantId);
    }
  }
  return Copies;
}
