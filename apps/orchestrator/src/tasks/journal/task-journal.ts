import { Inject, Injectable } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { AuditRelay } from './audit-relay/audit-relay.js';
import { JOURNAL_DELIVERY_SENDER, type JournalDeliverySender } from './journal-delivery.port.js';
import { TaskEventPublisher } from './task-event.publisher.js';
import {
  type JournalCounts,
  type JournalEntry,
  TaskJournalRepository,
  type JournalWrites,
} from './task-journal.repository.js';

/** What a TaskEventSequence needs of the journal: write in a statement, or alone; then announce. */
export interface JournalPort {
  writes(entry: JournalEntry, gate?: string): JournalWrites;
  write(entry: JournalEntry): Promise<JournalCounts>;
  /**
   * After the commit: the events go out live, the deliveries they made due are sent and the audit
   * records it stored are relayed.
   */
  committed(entry: JournalEntry, counts: JournalCounts, ending?: boolean): void;
}

/**
 * The journal as task runs use it: repository, live publisher, the deliveries' sender (a port) and the
 * audit relay.
 */
@Injectable()
export class TaskJournal implements JournalPort {
  constructor(
    private readonly repository: TaskJournalRepository,
    private readonly publisher: TaskEventPublisher,
    @Inject(JOURNAL_DELIVERY_SENDER) private readonly deliveries: JournalDeliverySender,
    private readonly audit: AuditRelay,
  ) {}

  writes(entry: JournalEntry, gate?: string): JournalWrites {
    return this.repository.writes(entry, gate);
  }

  write(entry: JournalEntry): Promise<JournalCounts> {
    return this.repository.write(entry);
  }

  /** A task resumed here: what its earlier run owes the audit trail is this replica's to relay. */
  adoptOwed(taskId: string): Promise<void> {
    return this.audit.adopt(taskId);
  }

  /** `ending`: the commit ended the task (default: read from `entry`'s events). */
  committed(entry: JournalEntry, counts: JournalCounts, ending = endsTask(entry)): void {
    if (entry.events.length)
      this.publisher.publish(entry.taskId, entry.owner.tenantId, entry.events);
    this.deliveries.enqueued(counts.webhooksDue);
    // Records before the task's end may wait for the end's and go with them (AUDIT_RELAY_HOLD_MS).
    if (counts.auditIds?.length)
      this.audit.committed(counts.auditIds, entry.audit ?? [], ending, entry.traceparent);
  }
}

/** The entry's events end the task. */
export function endsTask(entry: Pick<JournalEntry, 'events'>): boolean {
  return entry.events.some((e) => Tasks.isTerminalTaskEvent(e));
}
