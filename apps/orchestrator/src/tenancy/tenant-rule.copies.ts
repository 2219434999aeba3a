import { Inject, Injectable, type Type } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { Tenancy } from '@switchboard/contracts';
import { NatsBus, TenantCopies } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
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

/** What a feature uses of one kind's copies. */
export type RuleCopies<T> = Pick<
  TenantRuleCopies<T>,
  'get' | 'ruleChanged' | 'drop' | 'onModuleInit' | 'onApplicationShutdown'
>;

/** The copies of one kind, read from `Source` (a repository) by `read`: a provider of its own. */
export function tenantRuleCopies<S, T>(
  kind: Tenancy.TenantRuleKind,
  Source: Type<S>,
  read: (source: S, tenantId: string) => Promise<T>,
): new (source: S, bus: NatsBus, config: TenantRulesSettings, logger: Logger) => RuleCopies<T> {
  @Injectable()
  class Copies extends TenantRuleCopies<T> {
    constructor(
      @Inject(Source) private readonly source: S,
      @Inject(NatsBus) bus: NatsBus,
      @Inject(APP_CONFIG) config: TenantRulesSettings,
      @Inject(LOGGER) logger: Logger,
    ) {
      super(kind, bus, config, logger);
    }

    protected override read(tenantId: string): Promise<T> {
      return read(this.source, tenantId);
    }
  }
  return Copies;
}
