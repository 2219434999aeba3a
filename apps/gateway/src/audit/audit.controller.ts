import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { type Actor, Audit, DomainError, isAdmin } from '@switchboard/contracts';
import { AuditTrail, NatsBus } from '@switchboard/messaging';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { AuditQueryParams, AuditVerifyParams } from '../http/api.schemas.js';
import { ZodQueryPipe } from '../http/zod-query.pipe.js';

/**
 * The audit trail, for admins: filtered by user, action, category, task, tenant and time; newest first,
 * paged. And the check of its hash chains. `tenant_id` is passed on as a filter, never as authority: the
 * audit service scopes both to the actor's tenant (the platform operator's: every tenant), so another
 * tenant's id gives no rows, and its chain is not found (404).
 */
@Controller('audit')
@UseGuards(AuthGuard)
export class AuditController {
  constructor(
    private readonly bus: NatsBus,
    private readonly audit: AuditTrail,
  ) {}

  @Get()
  query(
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(AuditQueryParams)) q: AuditQueryParams,
  ): Promise<Audit.AuditQueryResponse> {
    this.requireAdmin(actor, 'audit.query.denied');
    return this.bus.request(
      Audit.AuditQuery,
      {
        ...(q.user_id !== undefined ? { userId: q.user_id } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
        ...(q.category !== undefined ? { category: q.category } : {}),
        ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
        ...(q.task_id !== undefined ? { taskId: q.task_id } : {}),
        ...(q.tenant_id !== undefined ? { tenantId: q.tenant_id } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
        limit: q.limit ?? 50,
      },
      { actor },
    );
  }

  @Get('verify')
  verify(
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(AuditVerifyParams)) q: AuditVerifyParams,
  ): Promise<Audit.AuditVerifyResponse> {
    this.requireAdmin(actor, 'audit.verify.denied');
    return this.bus.request(
      Audit.AuditVerify,
      q.tenant_id !== undefined ? { tenantId: q.tenant_id } : {},
      { actor },
    );
  }

  // Refused here, before a NATS hop; the audit service checks the role again.
  private requireAdmin(actor: Actor, deniedAction: string): void {
    if (isAdmin(actor)) return;
    void this.audit.record({
      category: 'auth',
      action: deniedAction,
      outcome: 'denied',
      resource: 'audit',
    });
    throw new DomainError('FORBIDDEN', 'the audit trail is for admins only');
  }
}
