import { Controller, Inject } from '@nestjs/common';
import { Audit } from '@switchboard/contracts';
import { HandleCommand, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { AuditAppendQueue } from './audit-append.queue.js';

/**
 * Records a service journaled with its own commits (the orchestrator's JournalOutbox), relayed in
 * batches: chained exactly once by id — a batch sent again appends nothing twice — and each record
 * chained now is published on sb.evt.audit.… for whoever watches (tail, a tenant's operator, the Live
 * view; SB_AUDIT_CHAINED keeps them for a late tail). Only the orchestrator may send it: its NATS
 * permissions are derived from the contract's callers.
 */
@Controller()
export class AuditAppendHandler {
  constructor(
    private readonly queue: AuditAppendQueue,
    private readonly bus: NatsBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @HandleCommand(Audit.AuditAppend)
  async append(req: Audit.AuditAppendRequest): Promise<Audit.AuditAppendResponse> {
    const chained = await this.queue.append(req.records);
    for (const record of chained) this.announce(record);
    return { appended: chained.length };
  }

  /**
   * At most once: the record is in the trail; a watcher that misses it reads it there. It carries its
   * actor as headers (the Live view filters by user), and neither the batch's correlation id nor
   * trace: a batch holds several tasks' records.
   */
  private announce(record: Audit.AuditRecord): void {
    const { userId, role } = record.actor;
    const actor = userId && role ? { userId, role, tenantId: record.tenantId } : undefined;
    try {
      this.bus.publish(
        Audit.AuditChained,
        Audit.auditSubjectTokens(record),
        record,
        actor ? { actor } : {},
      );
    } catch (e) {
      this.logger.warn(
        { err: e, auditId: record.id, action: record.action },
        'a chained audit record could not be announced',
      );
    }
  }
}
