import { Injectable } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { JetStreamService } from '@switchboard/messaging';
import type { TaskRef } from '../tenancy/tenant-scope.js';
import {
  PlanningRoundRepository,
  type StoredRound,
} from './plan-round/planning-round.repository.js';
import { TaskRepository } from './task.repository.js';

/** A replay or fork a feature submits: a submission that names the record it runs. */
export type RunSubmission = Tasks.TaskSubmission & { run: Tasks.RunOrigin };

/**
 * What a feature may ask of the task core and tell it, besides the ports it plugs into (docs/
 * architecture.md, "The task core's front door"): submit a task, wake one that waits, and read the
 * few facts a feature needs about a stored task. Everything else of the core (its repositories,
 * stores, use cases) is its own: features reach it only through here and tasks/index.ts.
 */
@Injectable()
export class TaskCore {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly planningRounds: PlanningRoundRepository,
    private readonly jetstream: JetStreamService,
  ) {}

  /**
   * Stores a replay or fork `queued` with its origin (a read of it names its parent and its run
   * before it starts); false when its parent is not the submitter's to run (TaskRepository.enqueue).
   */
  enqueue(submission: RunSubmission): Promise<boolean> {
    return this.tasks.enqueue(submission);
  }

  /** Stores a replay or fork `queued` (`enqueue`), then puts it on the work queue (once per task id). */
  async submit(submission: RunSubmission): Promise<void> {
    await this.tasks.enqueue(submission);
    await this.publish(submission, submission.taskId);
  }

  /**
   * Wakes a task that exists and waits (for its thread, for approvals): its submission goes back on the
   * work queue, and the replica it is delivered to takes it on from its stored state. `reason` names the
   * wake-up: the message id is `<taskId>:<reason>`, so two wakers of the same wait (two replicas, a
   * sweep and a release) wake it once. True when the stream had taken that wake-up already.
   */
  async wake(submission: Tasks.TaskSubmission, reason: string): Promise<boolean> {
    return this.publish(submission, `${submission.taskId}:${reason}`);
  }

  /**
   * Wakes a task waiting for approvals (`wake`), from its stored submission: undefined when it does not
   * wait (any more), else whether the stream had taken that wake-up already.
   */
  async wakeWaiting(taskId: string, reason: string): Promise<boolean | undefined> {
    const submission = await this.tasks.resubmission(taskId);
    return submission ? this.wake(submission, reason) : undefined;
  }

  /** Tasks that wait for approvals although none is pending (their wake-up was lost). */
  stalledWaiting(olderThanMs: number): Promise<string[]> {
    return this.tasks.stalled(olderThanMs);
  }

  /** The tenant a task belongs to (undefined: no such task), for auditing a refused read. */
  tenantOfTask(taskId: string): Promise<string | undefined> {
    return this.tasks.tenantOfTask(taskId);
  }

  /** A task's stored planning rounds (in its tenant), in order: what a replay runs from. */
  rounds(task: TaskRef): Promise<StoredRound[]> {
    return this.planningRounds.list(task);
  }

  private async publish(submission: Tasks.TaskSubmission, msgId: string): Promise<boolean> {
    const { duplicate } = await this.jetstream.publish(Tasks.TaskSubmitted, [], submission, {
      msgId,
      actor: submission.actor,
      correlationId: submission.correlationId,
    });
    return duplicate;
  }
}
