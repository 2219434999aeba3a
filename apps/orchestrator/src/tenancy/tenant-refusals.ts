import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type Audit, sameTenant, tenantOf } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';

/** The `details.reason` of a refusal of another tenant's thing. */
export const OTHER_TENANT = 'other_tenant';

/** What was asked for, as the refusal's audit record names it (the record's own action name). */
export interface TenantRefusal {
  category: Audit.AuditCategory;
  action: string;
  /** The id asked for. */
  resource: string;
  taskId?: string;
  details?: Record<string, unknown>;
}

/**
 * Refusals of another tenant's things. The caller answers exactly as for an id that does not exist
 * (nothing tells the actor the thing exists); this records the attempt as `denied` with reason
 * `other_tenant`, in the actor's tenant, naming nothing of the other tenant. Whether the thing exists
 * elsewhere is asked after a read scoped to the actor's tenant found nothing, and in the background:
 * the answer neither waits for it (its timing is a missing id's) nor fails with it.
 */
@Injectable()
export class TenantRefusals {
  constructor(
    private readonly audit: AuditTrail,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Audits the refusal if `tenantOfThing` names a tenant the actor may not see (undefined: it does not
   * exist at all, nothing to record). Resolves when recorded; callers need not wait.
   */
  async ifElsewhere(
    actor: Actor,
    tenantOfThing: () => Promise<string | undefined>,
    refusal: TenantRefusal,
  ): Promise<void> {
    let owner: string | undefined;
    try {
      owner = await tenantOfThing();
    } catch (err) {
      this.logger.warn({ err, resource: refusal.resource }, 'could not check a not-found read');
      return;
    }
    if (owner === undefined || sameTenant(actor, owner)) return;
    await this.audit.record({
      category: refusal.category,
      action: refusal.action,
      outcome: 'denied',
      resource: refusal.resource,
      ...(refusal.taskId ? { taskId: refusal.taskId } : {}),
      actor: { userId: actor.userId, role: actor.role },
      tenantId: tenantOf(actor),
      details: { ...refusal.details, reason: OTHER_TENANT },
    });
  }
}
