import { Inject, Injectable } from '@nestjs/common';
import { type A2a, type Actor, Tenancy, tenantOf } from '@switchboard/contracts';
import { type TenantQuotas, TenantQuotasService } from '@switchboard/runtime';
import { AgentRegistry } from '../agents/agent-registry.service.js';
import { DelegationReporter } from '../delegation/delegation.reporter.js';

/**
 * `delegationsPerDay` (the tenant's, and each user's): every new delegation takes one before it
 * reaches the agent, atomically across every replica. DelegateUseCase asks only for a delegation that
 * is new — not for a repeat answered from the ledger, nor one that follows (or takes over) a remote
 * task already started — and only once its approval is confirmed; a delegation the driver refuses
 * anyway (an unknown agent, the caller's policy) takes none. Over the limit: RATE_LIMITED naming the
 * quota (retryable at the next UTC midnight), audited `denied`, and nothing recorded in the ledger, so
 * the same delegation asked again once admitted runs.
 */
@Injectable()
export class DelegationQuota {
  constructor(
    @Inject(TenantQuotasService) private readonly quotas: Pick<TenantQuotas, 'consumeDaily'>,
    @Inject(AgentRegistry) private readonly registry: Pick<AgentRegistry, 'names' | 'refusal'>,
    @Inject(DelegationReporter) private readonly reporter: Pick<DelegationReporter, 'record'>,
  ) {}

  async take(request: A2a.DelegateRequest, actor: Actor): Promise<void> {
    const known = this.registry.names().includes(request.agent);
    if (!known || this.registry.refusal(actor, request.agent)) return;
    const verdict = await this.quotas.consumeDaily({
      tenantId: tenantOf(actor),
      userId: actor.userId,
      kind: 'delegations',
      amount: 1,
    });
    if (verdict.ok) return;
    const error = Tenancy.quotaExceededError(verdict.refusal);
    this.reporter.record(request, 'denied', {
      reason: 'quota',
      code: error.code,
      quota: verdict.refusal,
    });
    throw error;
  }
}
