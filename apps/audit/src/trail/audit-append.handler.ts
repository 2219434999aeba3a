import { Controller, Inject } from '@nestjs/common';
import { Audit } from '@switchboard/contracts';
import { HandleCommand, NatsBus } from '@switchboard/messaging';
import {
  LOGGER,
  type Logger,
  withSpansReceivedFor,
  withTraceContext,
} from '@switchboard/observability';
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

  /**
   * A batch of several tasks' records is chained in a span of each task's trace (`req.traces`): a
   * task's trace shows its records chained however the relay batched them.
   */
  @HandleCommand(Audit.AuditAppend)
  async append(req: Audit.AuditAppendRequest): Promise<Audit.AuditAppendResponse> {
    const chained = await withSpansReceivedFor(
      'audit chain',
      req.traces,
      (taskId) => ({
        'switchboard.task_id': taskId,
        'switchboard.audit_records': req.records.filter((r) => r.taskId === taskId).length,
      }),
      async (contextOf) => {
        const chained = await this.queue.append(req.records);
        for (const record of chained) {
          const ctx = contextOf(record.taskId);
          if (ctx) withTraceContext(ctx, () => this.announce(record));
          else this.announce(record);
        }
        return chained;
      },
    );
    return { appended: chained.length };
  }

  /**
   * At most once: the record is in the trail; a watcher that misses it reads it there. It carries its
   * actor as headers (the Live view filters by user) and its task's trace (where the batch named it),
   * not the batch's correlation id: a batch holds several tasks' records.
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
