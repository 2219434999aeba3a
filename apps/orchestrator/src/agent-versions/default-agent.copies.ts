import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { TenantRuleCopies, type TenantRulesSettings } from '../tenancy/tenant-rule.copies.js';
import { AgentRoutingRepository } from './agent-routing.repository.js';

/** Each tenant's default agent's name (none: undefined), as every task naming no agent needs it. */
@Injectable()
export class DefaultAgentCopies extends TenantRuleCopies<string | undefined> {
  constructor(
    private readonly routing: AgentRoutingRepository,
    bus: NatsBus,
    @Inject(APP_CONFIG) config: TenantRulesSettings,
    @Inject(LOGGER) logger: Logger,
  ) {
    super('default-agent', bus, config, logger);
  }

  protected override read(tenantId: string): Promise<string | undefined> {
    return this.routing.defaultAgent(tenantId);
  }
}
