import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, type Gateway, Tasks } from '@switchboard/contracts';
import { SubmitTaskUseCase } from '../submit-task/submit-task.use-case.js';
import { TaskAccess } from '../task-access.js';
import { QueuedRunStore } from './queued-run.store.js';

/**
 * Replays or forks a recorded task (docs/replay.md) as a new task of the caller, submitted like any
 * other (its tenant's quotas admit it): the parent must be the caller's own, or their tenant's for an
 * admin (another's is 404, as a missing one), and it must have ended — its record is complete then.
 * The orchestrator reads the record and checks the caller again: it owns the data. Once submitted,
 * the run is stored `queued` with its origin before the answer (QueuedRunStore): its first read names
 * its parent and its run.
 */
@Injectable()
export class RerunTaskUseCase {
  constructor(
    private readonly access: TaskAccess,
    private readonly submit: SubmitTaskUseCase,
    private readonly queued: QueuedRunStore,
  ) {}

  async replay(
    parentId: string,
    actor: Actor,
    correlationId: string,
  ): Promise<Gateway.RunAccepted> {
    const parent = await this.ended(parentId, actor);
    return this.start(
      actor,
      correlationId,
      { task: parent.task },
      { kind: 'replay', of: parentId },
    );
  }

  async fork(
    parentId: string,
    body: Tasks.ForkRequestBody,
    actor: Actor,
    correlationId: string,
  ): Promise<Gateway.RunAccepted> {
    const parent = await this.ended(parentId, actor);
    const from: Tasks.ForkPoint =
      body.from_step !== undefined
        ? { step: body.from_step }
        : { round: body.from_round as number };
    if ('step' in from && from.step > parent.steps.length)
      throw invalid('from_step', `the task has ${parent.steps.length} step(s)`);
    const rounds = parent.planning?.length ?? 0;
    if ('round' in from && from.round > rounds)
      throw invalid('from_round', `the task has ${rounds} planning round(s)`);
    if (body.step_output && 'round' in from)
      checkEditedStep(parent, from.round, body.step_output.step);
    const edits: Tasks.ForkEdits = {
      ...(body.step_output ? { stepOutput: body.step_output } : {}),
      ...(body.plan ? { plan: body.plan } : {}),
      ...(body.planner ? { planner: body.planner } : {}),
      ...(body.model ? { model: body.model } : {}),
      ...(body.memory ? { memory: body.memory } : {}),
    };
    const request: Tasks.TaskRequest = {
      task: body.task ?? parent.task,
      ...(body.tool_constraints ? { tool_constraints: body.tool_constraints } : {}),
      ...(body.max_steps !== undefined ? { max_steps: body.max_steps } : {}),
      // a fork onto another agent version: the orchestrator stamps the fork with it
      ...(body.agent ? { agent: body.agent } : {}),
    };
    return this.start(actor, correlationId, request, {
      kind: 'fork',
      of: parentId,
      from,
      ...(Object.keys(edits).length ? { edits } : {}),
    });
  }

  private async ended(taskId: string, actor: Actor): Promise<Tasks.TaskView> {
    const parent = await this.access.view(taskId, actor);
    if (!parent || !Tasks.TERMINAL_TASK_STATUSES.includes(parent.status))
      throw new DomainError(
        'CONFLICT',
        `task ${taskId} has not ended: replay or fork it once it has (its record is complete then)`,
        { details: { task_id: taskId, status: parent?.status ?? 'queued' } },
      );
    return parent;
  }

  private async start(
    actor: Actor,
    correlationId: string,
    request: Tasks.TaskRequest,
    run: Tasks.RunOrigin,
  ): Promise<Gateway.RunAccepted> {
    const taskId = this.submit.newTaskId();
    const submittedAt = new Date().toISOString();
    await this.submit.execute(taskId, actor, request, correlationId, { run, submittedAt });
    await this.queued.store({ taskId, actor, request, submittedAt, correlationId, run }, actor);
    return {
      task_id: taskId,
      status: 'queued',
      run: { kind: run.kind, of: run.of, ...(run.from ? { from: run.from } : {}) },
      links: {
        self: `/tasks/${taskId}`,
        events: `/tasks/${taskId}/events`,
        parent: `/tasks/${run.of}`,
        diff: `/tasks/${run.of}/diff/${taskId}`,
      },
    };
  }
}

/**
 * A fork from a planning round replays only the steps of the rounds before it: an edited output must
 * be one of those. The rounds' action counts bound them (a failed step can end a round early, which
 * the orchestrator's exact check of the record catches); what is past the bound is refused here, as
 * a 400, before anything is submitted.
 */
function checkEditedStep(parent: Tasks.TaskView, fromRound: number, step: number): void {
  const planned = (parent.planning ?? [])
    .filter((r) => r.iteration < fromRound)
    .reduce((n, r) => n + r.actions, 0);
  const replayed = Math.min(planned, parent.steps.length);
  if (step > replayed)
    throw invalid(
      'step_output.step',
      `step ${step} runs live in a fork from planning round ${fromRound} (the rounds before it ran ${replayed} step(s)); only a replayed step's output can be replaced`,
    );
}

const invalid = (path: string, message: string): DomainError =>
  new DomainError('VALIDATION', `invalid request body: ${path}: ${message}`, {
    details: { issues: [{ path, message }] },
  });
