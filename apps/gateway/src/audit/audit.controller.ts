import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { type Actor, Audit, isAdmin } from '@switchboard/contracts';
import { AuditTrail, NatsBus } from '@switchboard/messaging';
import { AuthGuard } from '../auth/auth.guard.js';
import { refuseAudited } from '../auth/audited-refusal.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { AuditQueryParams, AuditVerifyParams } from '../http/api.schemas.js';
import { definedAs } from '../http/query-params.js';
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
        ...definedAs(q, {
          user_id: 'userId',
          action: 'action',
          category: 'category',
          outcome: 'outcome',
          task_id: 'taskId',
          tenant_id: 'tenantId',
          from: 'from',
          to: 'to',
          before: 'before',
        }),
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
    return this.bus.request(Audit.AuditVerify, definedAs(q, { tenant_id: 'tenantId' }), { actor });
  }

  // Refused here, before a NATS hop; the audit service checks the role again.
  private requireAdmin(actor: Actor, deniedAction: string): void {
    if (isAdmin(actor)) return;
    refuseAudited(
      this.audit,
      { action: deniedAction, resource: 'audit' },
      'the audit trail is for admins only',
    );
  }
}
