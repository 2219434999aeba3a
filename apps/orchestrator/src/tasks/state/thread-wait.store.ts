import type { Tasks } from '@switchboard/contracts';
import { Prisma } from '../../generated/prisma/client.js';
import { TaskClaimStore } from './task-claim.store.js';
import { type StateDb, TaskStateStore } from './task-state.store.js';

/**
 * The three moves of a task's row that a thread's queue makes (threads/: ThreadGateRepository), each
 * in the transaction that holds the thread's lock, so the row and the queue commit together: a task
 * stored behind its thread, one cancelled while it waits, one handed its thread. The threads feature
 * writes task rows only through these (never through the claim or state stores), and reads which
 * stored states mean "never started".
 */
export class ThreadWaitStore {
  /** The stored states of a task no run has claimed yet (queued; behind its thread). */
  static readonly UNCLAIMED: readonly string[] = [
    TaskStateStore.created(),
    TaskStateStore.created('behind-thread'),
  ];
  /** Where a cancel takes a task waiting for its thread. */
  static readonly CANCELLING: string = TaskStateStore.target('cancel-requested', 'waiting_thread');

  private constructor(private readonly tx: StateDb) {}

  /** The writer in `tx`: its moves commit (or roll back) with that transaction. */
  static within(tx: StateDb): ThreadWaitStore {
    return new ThreadWaitStore(tx);
  }

  /** A first delivery that found its thread busy: its row stored `waiting_thread` (TaskClaimStore). */
  storeBehindThread(s: Tasks.TaskSubmission): Promise<void> {
    return TaskClaimStore.storeBehindThread(this.tx, s);
  }

  /** A waiting task cancelled (`reason`) before its row was: waiting_thread → cancelling. */
  async cancelWaiting(taskId: string, tenantId: string, reason: string): Promise<void> {
    await TaskStateStore.within(this.tx).transition(
      taskId,
      { on: 'cancel-requested', from: 'waiting_thread', tenantId },
      {
        set: Prisma.sql`"cancelRequestedAt" = (now() AT TIME ZONE 'UTC'), "cancelReason" = ${reason}`,
      },
    );
  }

  /** The task was handed its thread: waiting_thread → queued (no row, or cancelled: nothing moves). */
  async handOver(taskId: string, tenantId: string): Promise<void> {
    await TaskStateStore.within(this.tx).transition(taskId, {
      on: 'thread-handed-over',
      from: 'waiting_thread',
      tenantId,
    });
  }
}
