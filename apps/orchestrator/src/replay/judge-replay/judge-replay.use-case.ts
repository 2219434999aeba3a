import { Injectable } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { BLOCKED_PLACEHOLDER, type Outcome, type TaskRunView } from '../../tasks/index.js';
import type { RunOriginState } from '../run-record.js';
import { RunRecordRepository } from '../run-record.repository.js';
import { firstDivergence, traceOf, type TraceRows } from '../run-trace.js';

/**
 * A replay's verdict, when it ends (before its row and its terminal event, which follow the verdict):
 * its trace — what it stored of its rounds and steps, and how it ends — against its record's. Identical
 * when they are the same (times and ids are not compared), else the first divergence: the input check,
 * the tools offered (found before the first round, tool-offer.ts), a round's decision, a step, or the
 * end.
 */
@Injectable()
export class JudgeReplayUseCase {
  constructor(private readonly records: RunRecordRepository) {}

  async verdict(
    origin: RunOriginState,
    run: TaskRunView,
    outcome: Outcome,
  ): Promise<Tasks.ReplayVerdict | undefined> {
    if (origin.kind !== 'replay') return undefined;
    const { actor, taskId } = run.submission;
    const [recorded, own] = await Promise.all([
      this.records.traceRows(origin.of, actor),
      this.records.traceRows(taskId, actor),
    ]);
    if (!recorded || !own) return undefined;
    const got = traceOf(ending(own, run, outcome));
    const divergence = origin.divergence ?? firstDivergence(traceOf(recorded), got);
    const notes = origin.notes?.length ? [...origin.notes] : undefined;
    return Tasks.ReplayVerdict.parse({
      identical: divergence === undefined,
      of: origin.of,
      rounds: got.entries.filter((e) => e.at === 'round').length,
      steps: got.entries.filter((e) => e.at === 'step').length,
      ...(divergence ? { divergence } : {}),
      ...(notes ? { notes } : {}),
    });
  }
}

/** The replay's rows as they will be once it ends: its outcome is not on its row yet. */
function ending(rows: TraceRows, run: TaskRunView, outcome: Outcome): TraceRows {
  return {
    ...rows,
    status: outcome.status,
    blocked: run.text === BLOCKED_PLACEHOLDER,
    result: outcome.status === 'completed' ? outcome.result : null,
    errorCode:
      outcome.status === 'failed'
        ? outcome.error.code
        : outcome.status === 'cancelled'
          ? 'CANCELLED'
          : null,
  };
}
