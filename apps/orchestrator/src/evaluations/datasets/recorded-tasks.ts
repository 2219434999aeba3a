import { Injectable } from '@nestjs/common';
import { type Actor, Tasks } from '@switchboard/contracts';
import { RunRecordRepository } from '../../replay/run-record.repository.js';
import { type RunTrace, traceOf } from '../../replay/run-trace.js';

/**
 * The recorded tasks evaluations read, through the replay feature's record (its read rule: the
 * caller's own task, or its tenant's for an admin; any other is not found).
 */
@Injectable()
export class RecordedTasks {
  constructor(private readonly records: RunRecordRepository) {}

  /** The task's trace, when `actor` may read it. */
  async trace(taskId: string, actor: Actor): Promise<RunTrace | undefined> {
    const rows = await this.records.traceRows(taskId, actor);
    return rows ? traceOf(rows) : undefined;
  }

  /** The task's text, when `actor` may read it. */
  async text(taskId: string, actor: Actor): Promise<string | undefined> {
    return (await this.records.load(taskId, actor))?.text;
  }

  /**
   * Why a task cannot be an item, and which of the item's fields says so (undefined: it can): not
   * readable or not ended (`taskId`), a step it does not have (`step`: an experiment forks there).
   */
  async refusal(
    taskId: string,
    step: number | undefined,
    actor: Actor,
  ): Promise<{ field: 'taskId' | 'step'; message: string } | undefined> {
    const trace = await this.trace(taskId, actor);
    if (!trace) return { field: 'taskId', message: `task ${taskId} not found` };
    if (!Tasks.TERMINAL_TASK_STATUSES.includes(trace.status as Tasks.TaskStatus))
      return {
        field: 'taskId',
        message: `task ${taskId} has not ended (${trace.status}): its record is not complete`,
      };
    const steps = trace.entries.filter((e) => e.at === 'step').length;
    if (step !== undefined && step > steps)
      return { field: 'step', message: `task ${taskId} has ${steps} step(s), not a step ${step}` };
    return undefined;
  }
}
