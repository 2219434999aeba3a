import { Inject, Injectable } from '@nestjs/common';
import {
  type Approvals,
  type DomainError,
  type ErrorBody,
  type Tasks,
  type Tools,
} from '@switchboard/contracts';
import { CALL_GATE, type CallGate, type HeldCall } from '../ports/call-gate.port.js';
import { abortError } from '../../dispatch/dispatch.context.js';
import { StepDispatcher } from '../../dispatch/step-dispatcher.js';
import { resolveReferences } from '../../planning/plan-references.js';
import type { ObservedStep, PlanDecision } from '../../planning/planner.js';
import { taskRefOf } from '../../tenancy/tenant-scope.js';
import type { StepRecord, StoredStep } from '../task.repository.js';
import { TaskRepository } from '../task.repository.js';
import {
  BLOCKED_PLACEHOLDER,
  CONTENT_SCREEN,
  type ContentScreen,
} from '../ports/content-screen.port.js';
import type { RecordedStepAnswer } from '../ports/run-source.port.js';
import { CancelledBy } from '../cancellation.registry.js';
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
 * The step about to be dispatched: the first of `actions` (the rest are the round's calls after it),
 * its input resolved, at `index` of the run's steps.
 */
interface StepAtHand {
  run: TaskRun;
  actions: Tasks.PlanAction[];
  input: Record<string, unknown>;
  index: number;
  ledger: StepLedger;
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
    @Inject(CONTENT_SCREEN) private readonly screen: ContentScreen,
    @Inject(CALL_GATE) private readonly gate: CallGate,
  ) {}

  /**
   * `paused` when a call of the round waits for a person's decision: the steps before it are stored,
   * the calls of the round that need one are recorded as pending approvals, and nothing after it ran.
   */
  async run(
    run: TaskRun,
    decision: Extract<PlanDecision, { kind: 'actions' }>,
    ledger: StepLedger,
  ): Promise<'done' | 'paused'> {
    const failedGroups = new Set<string>();
    for (const [i, action] of decision.actions.entries()) {
      const group = decision.groups?.[i] ?? '*';
      if (failedGroups.has(group)) continue;
      if (run.signal.aborted) throw abortError(run.signal);
      const index = ledger.steps.length;
      const status =
        this.reused(ledger, action, index) ??
        (await this.next(run, decision.actions.slice(i), index, ledger));
      if (status === 'paused') return 'paused';
      run.plan.push(action);
      if (status === 'failed') failedGroups.add(group);
    }
    return 'done';
  }

  /**
   * The first of `actions`, its input resolved (a bad reference fails it here): taken from the run's
   * record when its source answers the step, else through the approval gate.
   */
  private async next(
    run: TaskRun,
    actions: Tasks.PlanAction[],
    index: number,
    ledger: StepLedger,
  ): Promise<Ended | 'paused'> {
    const action = actions[0] as Tasks.PlanAction;
    const input = await this.resolve(run, action, index, ledger);
    if (input === undefined) return 'failed';
    const step: StepAtHand = { run, actions, input, index, ledger };
    return run.source.answersStep(index) ? this.fromRecord(step) : this.gated(step);
  }

  /** The first of `actions`, through the approval gate: run, refused, or the round pauses for it. */
  private async gated(step: StepAtHand): Promise<Ended | 'paused'> {
    const { run, actions, input, index, ledger } = step;
    const action = actions[0] as Tasks.PlanAction;
    const gate = await this.gate.check(run, action, input);
    switch (gate.kind) {
      case 'free':
        return this.runStep(run, action, input, index, ledger);
      case 'run':
        return this.runStep(run, action, gate.input, index, ledger, gate.approval, gate.answer);
      case 'refused':
        return this.failStep(run, { ...action, input }, index, ledger, gate.error);
      case 'ask':
        await this.gate.hold(run, this.heldCalls(step, gate.policy));
        return 'paused';
      case 'wait':
        return 'paused';
    }
  }

  /**
   * The calls of the round (from the one that asks) that need a decision and whose arguments are known
   * now: asked together, decided in any order. One that needs an output of a step still to run is
   * asked for when the task reaches it.
   */
  private heldCalls(
    { run, actions, input, ledger }: StepAtHand,
    policy: Approvals.ApprovalPolicy,
  ): HeldCall[] {
    const [first, ...rest] = actions as [Tasks.PlanAction, ...Tasks.PlanAction[]];
    const held: HeldCall[] = [{ action: first, input, policy }];
    for (const later of rest) {
      const needs = this.gate.policyOf(run, later);
      if (!needs) continue;
      try {
        const resolved = resolveReferences(later.input, ledger.outputs) as Record<string, unknown>;
        held.push({ action: later, input: resolved, policy: needs });
      } catch {
        // refers to a step of this round not run yet
      }
    }
    return held;
  }

  /** A step stored before a crash, completed or failed, is observed again instead of run again. */
  private reused(ledger: StepLedger, action: Tasks.PlanAction, index: number): Ended | undefined {
    const done = ledger.stored.get(index);
    if (!done || done.actionId !== action.id) return undefined;
    if (done.status !== 'completed' && done.status !== 'failed') return undefined;
    this.observe(ledger, { ...action }, done.status, done.output, done.error ?? undefined);
    return done.status;
  }

  /**
   * A step a replay or fork takes from its record instead of dispatching it: nothing is called. It is
   * reported as it was (its tool's or agent's recorded events), its output passes today's output
   * guardrail, and it is stored as the run's own step. A replay whose step is not the recorded one
   * stops there (CONFLICT); a recorded step that never ended (its task was cancelled or stopped there)
   * ends the run the same way. A call the record does not hold of a tool the run may call live
   * (an experiment's read-only `liveTools`) is dispatched as a live step.
   */
  private async fromRecord(step: StepAtHand): Promise<Ended | 'paused'> {
    const { run, actions, input, index, ledger } = step;
    const action = actions[0] as Tasks.PlanAction;
    const answer = run.source.recordedStep(index, action, input);
    switch (answer.kind) {
      case 'live':
        // a read-only tool an evaluation may call: dispatched as a live task's, through its gate
        return this.gated(step);
      case 'refused':
        return this.failStep(run, { ...action, input }, index, ledger, answer.error);
      case 'diverged':
        await this.failStep(run, { ...action, input }, index, ledger, answer.error.toBody());
        throw answer.error;
      case 'ended':
        throw new CancelledBy(answer.reason);
      case 'taken':
        return this.replayStep(run, action, input, index, ledger, answer.step);
    }
  }

  /** Reports and stores a recorded step as this run's own, its output through today's guardrail. */
  private async replayStep(
    run: TaskRun,
    action: Tasks.PlanAction,
    input: Record<string, unknown>,
    index: number,
    ledger: StepLedger,
    taken: RecordedStepAnswer,
  ): Promise<Ended> {
    const { outcome } = taken;
    const ref = { stepId: action.id, index, kind: action.kind, target: action.target };
    run.events.emit(
      'orchestrator.step.dispatching',
      { ...ref, input },
      `replaying ${action.kind} ${action.target}`,
    );
    const blocked =
      outcome.status === 'completed'
        ? this.screen.screenStep(run, action.id, outcome.output)
        : undefined;
    const events = taken.events(blocked !== undefined);
    for (const e of events) run.events.emit(e.name, e.data as never, e.message);
    const resolved = { ...action, input };
    const stored = {
      ...taskRefOf(run.submission),
      index,
      action: resolved,
      startedAt: new Date(),
      events,
    };
    if (outcome.status === 'completed' && !blocked) {
      run.events.emit('orchestrator.step.completed', {
        ...ref,
        output: outcome.output,
        durationMs: 0,
      });
      this.observe(ledger, resolved, 'completed', outcome.output);
      await this.record(run, { ...stored, status: 'completed', output: outcome.output });
      return 'completed';
    }
    const error = blocked ? blocked.toBody() : (outcome as { error: ErrorBody }).error;
    const output = blocked ? BLOCKED_PLACEHOLDER : 'output' in outcome ? outcome.output : undefined;
    run.events.emit('orchestrator.step.failed', { ...ref, error }, error.message);
    this.observe(ledger, resolved, 'failed', undefined, error);
    await this.record(run, {
      ...stored,
      status: 'failed',
      error,
      ...(output !== undefined ? { output } : {}),
    });
    return 'failed';
  }

  /** Stores a step with the task's pending events (one statement), and counts it as stored. */
  private async record(run: TaskRun, step: StepRecord): Promise<void> {
    await run.events.commit((journal) => this.repository.recordStep(step, journal));
    run.stepsStored.add(step.index);
  }

  /** The step's input with its references to earlier outputs resolved; a bad reference fails the step. */
  private async resolve(
    run: TaskRun,
    action: Tasks.PlanAction,
    index: number,
    ledger: StepLedger,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      return resolveReferences(action.input, ledger.outputs) as Record<string, unknown>;
    } catch (e) {
      await this.failStep(run, action, index, ledger, (e as DomainError).toBody());
      return undefined;
    }
  }

  /** A step that fails before it is dispatched (a bad reference, a call a person did not approve). */
  private async failStep(
    run: TaskRun,
    action: Tasks.PlanAction,
    index: number,
    ledger: StepLedger,
    error: ErrorBody,
  ): Promise<'failed'> {
    run.events.emit(
      'orchestrator.step.failed',
      { stepId: action.id, index, kind: action.kind, target: action.target, error },
      error.message,
    );
    this.observe(ledger, action, 'failed', undefined, error);
    await this.record(run, {
      ...taskRefOf(run.submission),
      index,
      action,
      status: 'failed',
      error,
      startedAt: new Date(),
    });
    return 'failed';
  }

  /** Dispatches the step (under its approval, when it needed one) and stores how it ended. */
  private async runStep(
    run: TaskRun,
    action: Tasks.PlanAction,
    input: Record<string, unknown>,
    index: number,
    ledger: StepLedger,
    approval?: { id: string; argsHash: string },
    answer?: Tools.ToolCallAnswer,
  ): Promise<Ended | 'paused'> {
    const { taskId, actor, request } = run.submission;
    const startedAt = new Date();
    run.underWay = { index, action: { ...action, input }, startedAt };
    // A delegation: the task is stored as waiting on the remote agent before the request goes out,
    // and running again in the statement that stores the step.
    const remote = action.kind === 'agent';
    const ref = taskRefOf(run.submission);
    if (remote)
      await run.events.commit((journal) =>
        this.repository.awaitRemote(taskId, ref.tenantId, journal),
      );
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
      screen: (stepId, value) => this.screen.screenStep(run, stepId, value),
      ...(approval ? { approval } : {}),
      ...(answer ? { answer } : {}),
    });
    if (run.signal.aborted) throw abortError(run.signal);
    const resolved = { ...action, input };
    if (!result.ok && result.inputRequired) {
      // The delegated agent asks: a person answers (an approval), then the step goes on.
      run.underWay = undefined;
      await this.gate.askAgent(run, resolved, result.inputRequired);
      return 'paused';
    }
    if (!result.ok && result.toolQuestion) {
      // The tool's MCP server asks: a person answers (an approval), then the call goes on with it.
      run.underWay = undefined;
      await this.gate.askTool(run, resolved, result.toolQuestion);
      return 'paused';
    }
    const stored = {
      ...ref,
      index,
      action: resolved,
      startedAt,
      ...(result.events?.length ? { events: result.events } : {}),
      ...(remote ? { remote } : {}),
    };
    if (result.ok) {
      this.observe(ledger, resolved, 'completed', result.output);
      await this.record(run, { ...stored, status: 'completed', output: result.output });
    } else {
      this.observe(ledger, resolved, 'failed', undefined, result.error);
      await this.record(run, {
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
