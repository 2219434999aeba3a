import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Tasks } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { PeriodicSweep } from '@switchboard/runtime';
import type { OrchestratorEnv } from '../../../config/orchestrator.env.js';
import { PrismaService } from '../../../prisma/prisma.service.js';
import { TaskAdmission } from '../../../quotas/task-admission.js';
import { type ItemRow, planAdvance } from '../batch-plan.js';
import { type BatchHead, ReplayBatchRepository } from '../replay-batch.repository.js';
import { runTaskIdOf } from '../run-ids.js';
import { type RunSubmission, TaskCore } from '../../../tasks/index.js';

/**
 * Moves the running replay batches on: every REPLAY_BATCH_SWEEP_MS each replica takes each running
 * batch no other replica holds, records the outcome of the runs that ended, and starts the next items
 * within the concurrency and the budget (batch-plan.ts). A started item is a task submission like any
 * other, whose task id is named after the item, so a start sent twice — the sweep's repeat of a start
 * lost between the commit and the publish — runs once. The batch table is the due list: a restart
 * loses nothing.
 *
 * A started run is stored `queued` (with its origin) before it is sent; a run still queued
 * REPLAY_BATCH_LOST_AFTER_MS after its start is sent again (the message id keeps one).
 *
 * Each run is admitted against its tenant's `concurrentTasks` and `tasksPerMinute` (TaskAdmission,
 * the gateway's counters) before it is sent, as a task submitted through the gateway is. A run a full
 * quota refuses is not sent and waits, holding its place in the batch's concurrency: it is a start
 * with no task, which a later sweep sends again (REPLAY_BATCH_LOST_AFTER_MS after it was started,
 * then at every sweep) and admits anew — so a batch never takes more of its tenant's quota than it
 * leaves free.
 */
@Injectable()
export class AdvanceBatchesUseCase extends PeriodicSweep {
  constructor(
    private readonly batches: ReplayBatchRepository,
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG)
    private readonly config: Pick<
      OrchestratorEnv,
      'REPLAY_BATCH_SWEEP_MS' | 'REPLAY_BATCH_LOST_AFTER_MS'
    >,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly admission: TaskAdmission,
    private readonly tasks: TaskCore,
  ) {
    super(config.REPLAY_BATCH_SWEEP_MS, logger, 'replay batch sweep failed; next one retries');
  }

  /**
   * One pass over the running batches (the timer's runs one at a time per replica; a failed pass is
   * retried by the next). At shutdown it stops after the batch in progress: the rest are the next
   * sweep's, on any replica (the batch table is the due list).
   */
  override async sweep(): Promise<void> {
    for (const id of await this.batches.runningIds()) {
      if (this.stopped) return;
      await this.advance(id);
    }
  }

  /** One step of one batch: outcomes recorded, next items started (and lost starts sent again). */
  async advance(batchId: string): Promise<void> {
    const step = await this.batches.advance(batchId, planAdvance, (p) => runTaskIdOf(batchId, p));
    if (step) await this.submit(step.head, step.started);
    const lost = await this.batches.lostStarts(batchId, this.config.REPLAY_BATCH_LOST_AFTER_MS);
    if (lost.length) {
      const head = await this.batches.head(batchId);
      if (head) await this.submit(head, lost);
    }
  }

  private async submit(head: BatchHead, items: readonly ItemRow[]): Promise<void> {
    if (!items.length) return;
    const texts = new Map(
      (
        await this.prisma.task.findMany({
          where: { id: { in: items.map((i) => i.taskId) } },
          select: { id: true, text: true },
        })
      ).map((t) => [t.id, t.text]),
    );
    for (const item of items) {
      const runTaskId = item.runTaskId ?? runTaskIdOf(head.id, item.position);
      const refusal = await this.admission.admit({ taskId: runTaskId, actor: head.actor });
      if (refusal) {
        // the rest would meet the same full quota: they wait with it for a later sweep
        this.logger.info(
          { batchId: head.id, runTaskId, quota: refusal.quota, scope: refusal.scope },
          "replay batch run waits for its tenant's quota",
        );
        return;
      }
      const submission: RunSubmission = {
        taskId: runTaskId,
        actor: head.actor,
        request: {
          task: texts.get(item.taskId) ?? '(recorded task)',
          // an experiment forks each task onto its agent version (docs/evaluations.md)
          ...(head.changes.agent ? { agent: head.changes.agent } : {}),
        },
        submittedAt: new Date().toISOString(),
        correlationId: head.correlationId,
        run: originOf(head, item.taskId, item.step),
      };
      // Stored queued with its origin first (a read of the run says what it runs before it starts),
      // then sent: its message id is its task id.
      await this.tasks.submit(submission);
      this.logger.info(
        { batchId: head.id, taskId: item.taskId, runTaskId, mode: head.mode },
        'replay batch started a run',
      );
    }
  }
}

/**
 * How a batch runs one task again: a replay (nothing called; the added guardrails as a what-if), or,
 * when the model, planner or prompt changes, a fork from its first round — or from the recorded step
 * an experiment's item names, the steps before it taken from the record — planned live with the
 * change and its tool calls and delegations answered from its record only (the batch's read-only
 * `liveTools` excepted).
 */
export function originOf(
  head: Pick<BatchHead, 'id' | 'mode' | 'changes'>,
  taskId: string,
  step?: number,
): Tasks.RunOrigin {
  const c = head.changes;
  const guardrails = c.guardrails ? { guardrails: c.guardrails } : {};
  if (head.mode === 'replay')
    return {
      kind: 'replay',
      of: taskId,
      batchId: head.id,
      ...(c.guardrails ? { edits: guardrails } : {}),
    };
  return {
    kind: 'fork',
    of: taskId,
    batchId: head.id,
    from: step ? { step } : { round: 1 },
    edits: {
      ...guardrails,
      ...(c.model ? { model: c.model } : {}),
      // a model or prompt is the LLM planner's
      ...(c.planner || c.model || c.systemPrompt ? { planner: c.planner ?? 'llm' } : {}),
      ...(c.systemPrompt ? { systemPrompt: c.systemPrompt } : {}),
      tools: 'recorded',
      ...(c.liveTools?.length ? { liveTools: c.liveTools } : {}),
    },
  };
}
