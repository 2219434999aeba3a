import { tenantRuleCopies } from '../tenancy/tenant-rule.copies.js';
import { AgentRoutingRepository } from './agent-routing.repository.js';

/** Each tenant's default agent's name (none: undefined), as every task naming no agent needs it. */
export class DefaultAgentCopies extends tenantRuleCopies(
  'default-agent',
  AgentRoutingRepository,
  (routing, tenantId) => routing.defaultAgent(tenantId),
) {}
