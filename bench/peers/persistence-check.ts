// The persistence check: every task the bench ran must be in the system's own database after the run —
// its thread/run/task complete, exactly one note for its user holding the result, and the note's id
// in the answer that was streamed (and stored, where the system stores the answer).
import type { StoredNote, StoredTask, TaskRecord } from './bench-system.js';

export interface PersistenceResult {
  checked: number;
  stored: number;
  /** One line per task that is not (or not fully) stored, as many as there are. */
  problems: string[];
}

export function checkPersistence(
  records: readonly TaskRecord[],
  stored: { notes: Map<string, StoredNote[]>; tasks: Map<string, StoredTask> },
  expectedContent: string,
): PersistenceResult {
  const problems: string[] = [];
  for (const record of records) {
    const task = stored.tasks.get(record.taskId);
    const notes = stored.notes.get(record.user) ?? [];
    const problem = !task
      ? 'no stored thread/run/task'
      : !task.complete
        ? 'stored, but not complete'
        : task.answer !== undefined && task.answer !== record.answer
          ? `stored answer differs from the streamed one (${JSON.stringify(task.answer)})`
          : notes.length !== 1
            ? `${notes.length} notes for its user (expected 1)`
            : notes[0]?.content !== expectedContent
              ? `its note holds ${JSON.stringify(notes[0]?.content)}, not ${JSON.stringify(expectedContent)}`
              : !record.answer.includes(notes[0].id)
                ? `the streamed answer does not name the stored note ${notes[0].id}`
                : undefined;
    if (problem) problems.push(`task ${record.taskId} (user ${record.user}): ${problem}`);
  }
  return { checked: records.length, stored: records.length - problems.length, problems };
}
