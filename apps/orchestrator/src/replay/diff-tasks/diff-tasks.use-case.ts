import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, type Tasks } from '@switchboard/contracts';
import { RunRecordRepository } from '../run-record.repository.js';
import { firstDivergence, type RunTrace, same, type TraceEntry, traceOf } from '../run-trace.js';

/**
 * Where two runs of a task differ (`GET /tasks/{a}/diff/{b}`): their traces side by side — the input
 * check, each planning decision and step in the order they happened, the end — with what each did at
 * each position, and their answers, tokens, cost and time. Both must be readable by the caller (its
 * own, or its tenant's for an admin); either one that is not is NOT_FOUND, as a missing one.
 */
@Injectable()
export class DiffTasksUseCase {
  constructor(private readonly records: RunRecordRepository) {}

  async execute(a: string, b: string, actor: Actor): Promise<Tasks.TaskDiffView> {
    const [ra, rb] = await Promise.all([
      this.records.traceRows(a, actor),
      this.records.traceRows(b, actor),
    ]);
    if (!ra) throw new DomainError('NOT_FOUND', `task ${a} not found`);
    if (!rb) throw new DomainError('NOT_FOUND', `task ${b} not found`);
    const [ta, tb] = [traceOf(ra), traceOf(rb)];
    const divergence = firstDivergence(ta, tb);
    return {
      a: summaryOf(ta),
      b: summaryOf(tb),
      identical: divergence === undefined,
      ...(divergence ? { firstDivergence: divergence } : {}),
      entries: sideBySide(ta, tb),
    };
  }
}

/** Every position of the two traces, what each did there (null: it did not get there). */
export function sideBySide(a: RunTrace, b: RunTrace): Tasks.DiffEntry[] {
  const entries: Tasks.DiffEntry[] = [
    {
      at: 'input',
      a: { blocked: a.blocked },
      b: { blocked: b.blocked },
      same: a.blocked === b.blocked,
    },
  ];
  // Shown when either run recalled something: memory that changed is why the rest may differ.
  if (a.recalled.length || b.recalled.length)
    entries.push({
      at: 'recall',
      a: { recalled: a.recalled },
      b: { recalled: b.recalled },
      same: same(a.recalled, b.recalled),
    });
  for (let i = 0; i < Math.max(a.entries.length, b.entries.length); i++) {
    const ea = a.entries[i];
    const eb = b.entries[i];
    const where = (ea ?? eb) as TraceEntry;
    entries.push({
      at: where.at,
      round: where.round,
      ...(where.at === 'step' ? { step: where.step } : {}),
      a: ea ? contentOf(ea) : null,
      b: eb ? contentOf(eb) : null,
      same: ea !== undefined && eb !== undefined && same(ea, eb),
    });
  }
  entries.push({ at: 'outcome', a: a.outcome, b: b.outcome, same: same(a.outcome, b.outcome) });
  return entries;
}

const contentOf = (e: TraceEntry): unknown =>
  e.at === 'round' ? e.decision : { action: e.action, result: e.result };

function summaryOf(t: RunTrace): Tasks.RunTraceSummary {
  return {
    taskId: t.taskId,
    status: t.status,
    ...(t.run ? { run: t.run } : {}),
    ...(t.outcome.answer !== undefined ? { answer: t.outcome.answer } : {}),
    ...(t.outcome.code !== undefined ? { errorCode: t.outcome.code } : {}),
    rounds: t.entries.filter((e) => e.at === 'round').length,
    steps: t.entries.filter((e) => e.at === 'step').length,
    tokens: t.tokens,
    ...(t.costUsd !== undefined ? { costUsd: t.costUsd } : {}),
    ...(t.durationMs !== undefined ? { durationMs: t.durationMs } : {}),
  };
}
