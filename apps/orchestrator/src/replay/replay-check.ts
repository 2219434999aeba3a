import { DomainError, type Tasks } from '@switchboard/contracts';
import type { PlanDecision } from '../planning/index.js';
import { actionOf, decisionOf, describeEntry, same } from './run-trace.js';
import type { RecordedStep, RunRecord } from './run-record.js';

/**
 * The checks a replay makes as it goes: a round must decide what its record decided, a step must be
 * the recorded call. What differs ends the replay there (CONFLICT, with where and what): nothing
 * recorded says what the next step would have returned, and nothing may be called to find out.
 */
export function roundDivergence(
  record: RunRecord,
  iteration: number,
  decision: PlanDecision,
): DomainError | undefined {
  const recorded = record.rounds.find((r) => r.iteration === iteration);
  const got = decisionOf(storedForm(decision));
  const expected = recorded ? decisionOf(storedForm(recorded.decision)) : undefined;
  if (expected && same(expected, got)) return undefined;
  const say = (d: typeof got | undefined) =>
    d ? describeEntry({ at: 'round', round: iteration, decision: d }) : 'no round';
  return diverged(`round ${iteration}: expected ${say(expected)}, got ${say(got)}`, {
    at: 'round',
    round: iteration,
    expected: expected ?? null,
    got,
  });
}

/** The recorded step at `index`, or the divergence when the step about to run is another. */
export function recordedStep(
  record: RunRecord,
  index: number,
  action: Pick<Tasks.PlanAction, 'kind' | 'target'>,
  input: Record<string, unknown>,
): RecordedStep | DomainError {
  const step = record.steps.find((s) => s.index === index);
  const got = actionOf({ ...action, input });
  if (step && same(actionOf(step), got)) return step;
  const expected = step ? actionOf(step) : null;
  return diverged(
    `step ${index + 1}: expected ${step ? `${step.target} with the recorded input` : 'no more steps'}, got ${action.target}${step?.target === action.target ? ' with another input' : ''}`,
    { at: 'step', step: index + 1, expected, got },
  );
}

function diverged(summary: string, where: Omit<Tasks.Divergence, 'summary'>): DomainError {
  return new DomainError('CONFLICT', `the replay diverged from its record at ${summary}`, {
    details: { divergence: { ...where, summary } },
  });
}

/** A decision in the form it is stored in (its error as a body), as the trace reads it. */
export function storedForm(d: PlanDecision): unknown {
  return d.kind === 'fail' ? { kind: 'fail', error: d.error.toBody() } : d;
}
