import type { DomainError, Tasks } from '@switchboard/contracts';
import type { TaskRunView } from './task-run.view.js';

/**
 * A port of the task core: what a planning round that asks a model must get past, and is charged to,
 * beyond the task's own token budget (its UsageMeter) — the tenant's daily budget (budget/) plugs in.
 * The core asks `refusal` before the model is called (not for a replay, whose completions come from
 * its record, nor for a round that asks no model), and `charge`s what the round spent once it is
 * decided and screened (not for a replay: nothing was spent).
 *
 * `refusal` may wait (within the run's retry budget) and may throw when it cannot decide; `charge`
 * never throws: the model was paid for already.
 */
export interface RoundGate {
  /** The error that stops the task before the model is asked, or undefined when it may be asked. */
  refusal(run: TaskRunView): Promise<DomainError | undefined>;
  /** Counts what one round spent; the error that ends the task once nothing is left, else undefined. */
  charge(run: TaskRunView, usage: Tasks.TokenUsage): Promise<DomainError | undefined>;
}

export const ROUND_GATE = Symbol('ROUND_GATE');
