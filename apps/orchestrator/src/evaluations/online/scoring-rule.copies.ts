import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { TenantRuleCopies, type TenantRulesSettings } from '../../tenancy/tenant-rule.copies.js';
import { type ActiveRule, ScoringRuleRepository } from './scoring-rule.repository.js';

/** Each tenant's online scoring rules, as every live task that ends needs them. */
@Injectable()
export class ScoringRuleCopies extends TenantRuleCopies<ActiveRule[]> {
  constructor(
    private readonly rules: ScoringRuleRepository,
    bus: NatsBus,
    @Inject(APP_CONFIG) config: TenantRulesSettings,
    @Inject(LOGGER) logger: Logger,
  ) {
    super('scoring-rules', bus, config, logger);
  }

  protected override read(tenantId: string): Promise<ActiveRule[]> {
    return this.rules.list(tenantId);
  }
}
