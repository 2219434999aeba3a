import type { ErrorBody, Tasks } from '@switchboard/contracts';
import { actionOf, same } from './run-trace.js';
import {
  BLOCKED_PLACEHOLDER,
  type RecordedOutcome,
  type RecordedStepEvent,
} from '../tasks/index.js';
import type { RecordedStep, RunOriginState } from './run-record.js';

/** Whether step `index` of the run is taken from its record instead of dispatched. */
export const takesRecordedStep = (origin: RunOriginState | undefined, index: number): boolean =>
  origin !== undefined && index < origin.liveStep;

/** A fork that evaluates (tools: recorded): its live steps are answered from the record only. */
export const answersFromRecord = (origin: RunOriginState | undefined): boolean =>
  origin?.kind === 'fork' && origin.edits?.tools === 'recorded';

/**
 * Whether an evaluation may run a call its record does not hold: a tool the operator marked
 * read-only for it (`liveTools`, an experiment's). Delegations never run live.
 */
export const runsLive = (
  origin: RunOriginState,
  action: Pick<Tasks.PlanAction, 'kind' | 'target'>,
): boolean => action.kind === 'tool' && (origin.edits?.liveTools ?? []).includes(action.target);

/**
 * A recorded step that made the same call (the same tool or agent with the same input), in order: one
 * after the fork point and after the last step this run took — so a run that makes the recorded calls
 * in another order is answered up to where the order breaks, and no recorded call answers twice. It
 * is marked taken.
 */
export function matchingStep(
  origin: RunOriginState,
  action: Pick<Tasks.PlanAction, 'kind' | 'target'>,
  input: Record<string, unknown>,
): RecordedStep | undefined {
  const used = (origin.used ??= new Set<number>());
  const after = Math.max(origin.liveStep - 1, ...used);
  const call = actionOf({ ...action, input });
  const found = origin.record.steps.find(
    (s) =>
      s.index > after &&
      (s.status === 'completed' || s.status === 'failed') &&
      same(actionOf(s), call),
  );
  if (found) used.add(found.index);
  return found;
}

/** Why a live step of an evaluation fails: the record holds no such call, and nothing is called. */
export function notRecorded(action: Pick<Tasks.PlanAction, 'kind' | 'target'>): ErrorBody {
  return {
    code: 'NOT_FOUND',
    message: `the record has no ${action.kind === 'agent' ? 'delegation to' : 'call of'} ${action.target} with this input; this run answers ${action.kind === 'agent' ? 'delegations' : 'tool calls'} from its record only (tools: recorded), so nothing was called`,
    retryable: false,
  };
}

/** The step's recorded outcome, with a fork's edited output for it, if any. */
export function recordedOutcome(origin: RunOriginState, step: RecordedStep): RecordedOutcome {
  const edit = origin.edits?.stepOutput;
  if (edit && edit.step - 1 === step.index) return { status: 'completed', output: edit.output };
  if (step.status === 'completed') return { status: 'completed', output: step.output };
  return {
    status: 'failed',
    error: step.error ?? { code: 'INTERNAL', message: 'the step failed', retryable: false },
    ...(step.output !== null && step.output !== undefined ? { output: step.output } : {}),
  };
}

/**
 * The events a recorded step's tool or agent reported, as a replay emits them again: the recorded
 * ones, with the output the step ends with now (a fork's edit, or the placeholder when the output
 * guardrail blocks it today). A step recorded without its events (before replays existed) reports a
 * tool's start and end from what its row holds.
 */
export function replayedEvents(
  step: RecordedStep,
  outcome: RecordedOutcome,
  blocked: boolean,
): RecordedStepEvent[] {
  const shown = blocked ? BLOCKED_PLACEHOLDER : 'output' in outcome ? outcome.output : undefined;
  const events: RecordedStepEvent[] = step.events.length
    ? step.events
    : step.kind === 'tool'
      ? synthesized(step, outcome, shown)
      : [];
  return events.map((e) => {
    if (e.name === 'mcp.task.completed' && outcome.status === 'completed')
      return { ...e, data: { ...e.data, output: shown } };
    if (e.name === 'a2a.delegation.result' && blocked)
      return { ...e, data: { ...e.data, text: BLOCKED_PLACEHOLDER, artifacts: [] } };
    return e;
  });
}

function synthesized(
  step: RecordedStep,
  outcome: RecordedOutcome,
  shown: unknown,
): RecordedStepEvent[] {
  const ref = { stepId: step.actionId, tool: step.target };
  return [
    { name: 'mcp.task.started', data: { ...ref, input: step.input } },
    outcome.status === 'completed'
      ? { name: 'mcp.task.completed', data: { ...ref, output: shown, durationMs: 0 } }
      : { name: 'mcp.task.failed', data: { ...ref, error: outcome.error } },
  ];
}
