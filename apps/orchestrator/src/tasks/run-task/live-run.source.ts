import type { Tasks } from '@switchboard/contracts';
import type { RecordedStepResult, RunSource } from '../ports/run-source.port.js';

/**
 * The source of a live task (and of a replay or fork refused at its start, which ends as a live task
 * would): no record. Its planner is the platform's, its rounds ask the model, its steps are
 * dispatched, it is a turn of its thread, and it has no verdict. Holds nothing per run: one for all.
 */
export class LiveRunSource implements RunSource {
  readonly kind = 'live';
  readonly inThread = true;
  readonly asksModel = true;

  recordedBasis(): undefined {
    return undefined;
  }

  recordedHistory(): undefined {
    return undefined;
  }

  recordedRecall(): undefined {
    return undefined;
  }

  recordedDecision(): undefined {
    return undefined;
  }

  checkRound(): undefined {
    return undefined;
  }

  answersStep(): boolean {
    return false;
  }

  recordedStep(index: number): RecordedStepResult {
    // never asked: answersStep says no
    throw new Error(`a live run answers no step from a record (step ${index + 1})`);
  }

  verdict(): Promise<Tasks.ReplayVerdict | undefined> {
    return Promise.resolve(undefined);
  }
}

export const LIVE_RUN: RunSource = new LiveRunSource();
