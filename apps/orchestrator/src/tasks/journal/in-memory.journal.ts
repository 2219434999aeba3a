import type { Tasks } from '@switchboard/contracts';
import { Prisma } from '../../generated/prisma/client.js';
import type { JournalPort } from './task-journal.js';
import type { JournalCounts, JournalEntry, JournalWrites } from './task-journal.repository.js';

/**
 * A journal in memory, for unit specs: what a statement of their own wrote (`written`), and what was
 * published after a commit (`published`). A fake repository reports its statement committed with
 * `batch?.committed(InMemoryJournal.COMMITTED)`.
 */
export class InMemoryJournal implements JournalPort {
  static readonly COMMITTED: JournalCounts = { journaled: true, webhooksDue: 0 };
  readonly written: JournalEntry[] = [];
  readonly published: Tasks.TaskEvent[] = [];
  /** Each commit reported, with whether the stream said it ended the task. */
  readonly commits: { events: number; audit: number; ending: boolean | undefined }[] = [];
  /** The tasks whose earlier runs' owed audit records were adopted (TaskJournal.adoptOwed). */
  readonly adopted: string[] = [];
  /** Makes the next write fail (a database outage). */
  failNext: Error | undefined;

  constructor(private readonly onPublish?: (event: Tasks.TaskEvent) => void) {}

  writes(): JournalWrites {
    return {
      with: [],
      select: Prisma.sql`true AS "journaled", 0 AS "webhooksDue", '{}'::text[] AS "auditIds"`,
    };
  }

  write(entry: JournalEntry): Promise<JournalCounts> {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) return Promise.reject(failure);
    this.written.push(entry);
    return Promise.resolve(InMemoryJournal.COMMITTED);
  }

  committed(entry: JournalEntry, _counts?: JournalCounts, ending?: boolean): void {
    this.commits.push({
      events: entry.events.length,
      audit: entry.audit?.length ?? 0,
      ending,
    });
    this.published.push(...entry.events);
    for (const e of entry.events) this.onPublish?.(e);
  }

  adoptOwed(taskId: string): Promise<void> {
    this.adopted.push(taskId);
    return Promise.resolve();
  }

  /** The names of the events published so far, in order. */
  get names(): string[] {
    return this.published.map((e) => e.name);
  }
}
