import { Injectable } from '@nestjs/common';
import { type DomainError, type ErrorBody, type Tasks } from '@switchboard/contracts';
import { abortError } from '../../dispatch/dispatch.context.js';
import { StepDispatcher } from '../../dispatch/step-dispatcher.js';
import { Guardrails } from '../../guardrails/guardrails.js';
import { resolveReferences } from '../../planning/plan-references.js';
import type { ObservedStep, PlanDecision } from '../../planning/planner.js';
import type { StoredStep } from '../task.repository.js';
import { TaskRepository } from '../task.repository.js';
import type { TaskRun } from '../run-task/task-run.js';

/** How a step ended. */
type Ended = 'completed' | 'failed';

/** What the loop knows of the task's steps so far (shared across rounds). */
export interface StepLedger {
  steps: ObservedStep[];
  outputs: Map<string, unknown>;
  /** Steps stored before a crash, by index: reused instead of run again. */
  stored: ReadonlyMap<number, StoredStep>;
}

/**
 * Runs a round's actions in order. Each finished step is persisted at once; a step already stored
 * (completed or failed before a crash) is reused, never run again. A failure skips the rest of its
 * group: a plan stops, independent tool calls of the same round still run. A step whose output the
 * guardrail blocked is stored as failed (GUARDRAIL) with the placeholder as its output, and the
 * planner sees that failure like any other.
 */
@Injectable()
export class DispatchStepsUseCase {
  constructor(
    private readonly repository: TaskRepository,
    private readonly dispatcher: StepDispatcher,
    private readonly guardrails: Guardrails,
  ) {}

  async run(
    run: TaskRun,
    decision: Extract<PlanDecision, { kind: 'actions' }>,
    ledger: StepLedger,
  ): Promise<void> {
    const failedGroups = new Set<string>();
    for (const [i, action] of decision.actions.entries()) {
      const group = decision.groups?.[i] ?? '*';
      if (failedGroups.has(group)) continue;
      if (run.signal.aborted) throw abortError(run.signal);
      const index = ledger.steps.length;
      run.plan.push(action);
      const status =
        this.reused(ledger, action, index) ?? (await this.runStep(run, action, index, ledger));
      if (status === 'failed') failedGroups.add(group);
    }
  }

  /** A step stored before a crash, completed or failed, is observed again instead of run again. */
  private reused(ledger: StepLedger, action: Tasks.PlanAction, index: number): Ended | undefined {
    const done = ledger.stored.get(index);
    if (!done || done.actionId !== action.id) return undefined;
    if (done.status !== 'completed' && done.status !== 'failed') return undefined;
    this.observe(ledger, { ...action }, done.status, done.output, done.error ?? undefined);
    return done.status;
  }

  /** Resolves the step's references, dispatches it and stores how it ended. */
  private async runStep(
    run: TaskRun,
    action: Tasks.PlanAction,
    index: number,
    ledger: StepLedger,
  ): Promise<Ended> {
    const { taskId, actor, request } = run.submission;
    const startedAt = new Date();
    let input: Record<string, unknown>;
    try {
      input = resolveReferences(action.input, ledger.outputs) as Record<string, unknown>;
    } catch (e) {
      const error = (e as DomainError).toBody();
      run.events.emit(
        'orchestrator.step.failed',
        { stepId: action.id, index, kind: action.kind, target: action.target, error },
        error.message,
      );
      this.observe(ledger, action, 'failed', undefined, error);
      await this.repository.recordStep({
        taskId,
        index,
        action,
        status: 'failed',
        error,
        startedAt,
      });
      return 'failed';
    }
    run.underWay = { index, action: { ...action, input }, startedAt };
    const result = await this.dispatcher.dispatch(action, input, {
      taskId,
      actor,
      constraints: request.tool_constraints,
      events: run.events,
      index,
      signal: run.signal,
      timeoutMs: Math.max(1, run.deadline - Date.now()),
      retry: run.retry,
      resumed: run.resumed,
      screen: (stepId, value) => this.guardrails.screenStep(run, stepId, value),
    });
    if (run.signal.aborted) throw abortError(run.signal);
    const resolved = { ...action, input };
    const stored = { taskId, index, action: resolved, startedAt };
    if (result.ok) {
      this.observe(ledger, resolved, 'completed', result.output);
      await this.repository.recordStep({ ...stored, status: 'completed', output: result.output });
    } else {
      this.observe(ledger, resolved, 'failed', undefined, result.error);
      await this.repository.recordStep({
        ...stored,
        status: 'failed',
        ...(result.output !== undefined ? { output: result.output } : {}),
        error: result.error,
      });
    }
    run.underWay = undefined;
    return result.ok ? 'completed' : 'failed';
  }

  private observe(
    ledger: StepLedger,
    action: Tasks.PlanAction,
    status: 'completed' | 'failed',
    output?: unknown,
    error?: ErrorBody,
  ): void {
    ledger.steps.push({
      action,
      status,
      ...(status === 'completed' ? { output } : {}),
      ...(error ? { error } : {}),
    });
    if (status === 'completed') ledger.outputs.set(action.id, output);
  }
}
