import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, DomainError, isAdmin, type Tasks } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { randomUUID } from 'node:crypto';
import { type OrchestratorEnv, usesLlm } from '../../../config/orchestrator.env.js';
import { AdvanceBatchesUseCase } from '../advance-batches/advance-batches.use-case.js';
import type { BatchItemInput } from '../batch-plan.js';
import { ReplayBatchRepository } from '../replay-batch.repository.js';

type Settings = Pick<OrchestratorEnv, 'PLANNER' | 'OPENAI_API_KEY' | 'OPENAI_BASE_URL'>;

/**
 * Starts a replay batch (docs/replay.md): the caller's ended tasks (an admin's: its tenant's), named
 * or found by a filter, each run again with the batch's changes — replayed when nothing but the
 * guardrails changes (nothing is called), else forked from its first round with the new model,
 * planner or prompt, its tool calls answered from its record. The first runs start at once; the
 * sweep moves the batch on. What cannot be run is refused before anything starts, naming the field.
 */
@Injectable()
export class StartBatchUseCase {
  constructor(
    private readonly batches: ReplayBatchRepository,
    private readonly advance: AdvanceBatchesUseCase,
    private readonly audit: AuditTrail,
    @Inject(APP_CONFIG) private readonly config: Settings,
  ) {}

  async execute(
    body: Tasks.ReplayBatchBody,
    actor: Actor,
    correlationId: string,
  ): Promise<Tasks.ReplayBatchView> {
    const mode = checkChanges(body.changes, this.config);
    return this.begin(body, mode, await this.tasksOf(body, actor), actor, correlationId);
  }

  /**
   * An experiment's batch (docs/evaluations.md): its items each a recorded task and the step its fork
   * starts at — as many as the dataset holds (the sweep pages through them by the concurrency), each
   * an ended task the caller may read (else `items.N.taskId`).
   */
  async executeItems(
    body: Omit<Tasks.ReplayBatchBody, 'taskIds' | 'filter'>,
    items: readonly BatchItemInput[],
    actor: Actor,
    correlationId: string,
  ): Promise<Tasks.ReplayBatchView> {
    const mode = checkChanges(body.changes, this.config);
    const ids = [...new Set(items.map((i) => i.taskId))];
    const found = new Set(await this.batches.endedTasks(actor, { ids }, ids.length));
    const missing = items.findIndex((i) => !found.has(i.taskId));
    if (missing >= 0)
      throw invalid(`items.${missing}.taskId`, 'no ended task of yours with this id');
    return this.begin(body, mode, items, actor, correlationId);
  }

  private async begin(
    body: Omit<Tasks.ReplayBatchBody, 'taskIds' | 'filter'>,
    mode: Tasks.RunKind,
    items: readonly (string | BatchItemInput)[],
    actor: Actor,
    correlationId: string,
  ): Promise<Tasks.ReplayBatchView> {
    const { changes } = body;
    const id = randomUUID();
    await this.batches.create(
      {
        id,
        actor,
        mode,
        changes,
        concurrency: body.concurrency,
        ...(body.budget
          ? {
              budget: {
                ...(body.budget.tokens !== undefined ? { tokens: body.budget.tokens } : {}),
                ...(body.budget.costUsd !== undefined ? { costUsd: body.budget.costUsd } : {}),
              },
            }
          : {}),
        correlationId,
      },
      items,
    );
    void this.audit.record({
      category: 'request',
      action: 'replay.batch.start',
      outcome: 'success',
      resource: id,
      details: {
        mode,
        tasks: items.length,
        concurrency: body.concurrency,
        changes: Object.keys(changes),
      },
    });
    await this.advance.advance(id);
    return (await this.batches.get(id, actor)) as Tasks.ReplayBatchView;
  }

  /** The tasks to run again: each named one must be an ended task the caller may read. */
  private async tasksOf(body: Tasks.ReplayBatchBody, actor: Actor): Promise<string[]> {
    if (body.taskIds) {
      const found = new Set(await this.batches.endedTasks(actor, { ids: body.taskIds }, 200));
      const missing = body.taskIds.findIndex((t) => !found.has(t));
      if (missing >= 0) throw invalid(`taskIds.${missing}`, 'no ended task of yours with this id');
      return [...new Set(body.taskIds)];
    }
    const f = body.filter as NonNullable<Tasks.ReplayBatchBody['filter']>;
    if (f.userId && f.userId !== actor.userId && !isAdmin(actor))
      throw new DomainError(
        'FORBIDDEN',
        'filter.userId: only an admin may run again the tasks of another user',
        { details: { issues: [{ path: 'filter.userId', message: 'not your user id' }] } },
      );
    const ids = await this.batches.endedTasks(
      actor,
      {
        ...(f.userId ? { userId: f.userId } : {}),
        ...(f.threadId ? { threadId: f.threadId } : {}),
        ...(f.status ? { status: { in: f.status } } : {}),
        ...(f.from || f.to
          ? {
              createdAt: {
                ...(f.from ? { gte: new Date(f.from) } : {}),
                ...(f.to ? { lt: new Date(f.to) } : {}),
              },
            }
          : {}),
        // replays and forks are not run again by a filter: only recorded originals
        parentId: null,
      },
      f.limit,
    );
    if (!ids.length) throw invalid('filter', 'matches no ended task you may run again');
    return ids.reverse();
  }
}

/** The batch's mode from its changes, once they are checked (else the error naming the field). */
function checkChanges(changes: Tasks.BatchChanges, config: Settings): Tasks.RunKind {
  const mode: Tasks.RunKind =
    changes.agent || changes.model || changes.planner || changes.systemPrompt ? 'fork' : 'replay';
  // a model or prompt is the LLM planner's; an agent version brings its own planner
  const needsLlm =
    changes.planner === 'llm' || (!changes.planner && !!(changes.model || changes.systemPrompt));
  if (needsLlm && !usesLlm(config))
    throw new DomainError(
      'UNSUPPORTED',
      'changes: a new model or prompt needs the LLM planner, and none is configured here (OPENAI_BASE_URL / OPENAI_API_KEY)',
    );
  if (changes.liveTools?.length && mode === 'replay')
    throw invalid('changes.liveTools', 'a replay calls nothing: live tools need a fork');
  changes.guardrails?.disallowedPatterns.forEach((p, i) => {
    try {
      new RegExp(p, 'iu');
    } catch (e) {
      throw invalid(
        `changes.guardrails.disallowedPatterns.${i}`,
        `is not a valid regular expression: ${(e as Error).message}`,
      );
    }
  });
  return mode;
}

const invalid = (path: string, message: string): DomainError =>
  new DomainError('VALIDATION', `invalid request body: ${path}: ${message}`, {
    details: { issues: [{ path, message }] },
  });
