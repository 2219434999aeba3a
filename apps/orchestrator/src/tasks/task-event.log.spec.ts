import { describe, expect, it } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import type { Logger, ServiceIdentity } from '@switchboard/observability';
import { InMemoryJournal } from './journal/in-memory.journal.js';
import type { TaskJournal } from './journal/task-journal.js';
import type { TaskJournalRepository } from './journal/task-journal.repository.js';
import { TaskEventLog } from './task-event.log.js';
import type { TaskRepository } from './task.repository.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

describe(TaskEventLog.name, () => {
  function setUp(last?: Partial<Tasks.TaskEvent>, view?: Partial<Tasks.TaskView>) {
    const journal = new InMemoryJournal();
    const log = new TaskEventLog(
      journal as unknown as TaskJournal,
      { last: async () => last } as unknown as TaskJournalRepository,
      { get: async () => (view ? { steps: [], ...view } : undefined) } as unknown as TaskRepository,
      { service: 'orchestrator' } as ServiceIdentity,
      { warn: () => undefined } as unknown as Logger,
    );
    return { log, journal };
  }

  it('numbers a new task from 1 and a resumed one after its last journaled event', async () => {
    const fresh = setUp({ seq: 9, name: 'orchestrator.planning.started' });
    const events = await fresh.log.open(TASK_ID, false);
    events.emit('orchestrator.planning.started', { planner: 'builtin', iteration: 1 });
    expect(events.lastSeq).toBe(1);
    expect(fresh.journal.adopted).toEqual([]);
    const resumed = await fresh.log.open(TASK_ID, true);
    resumed.emit('orchestrator.planning.started', { planner: 'builtin', iteration: 1 });
    expect(resumed.lastSeq).toBe(10);
    // what the earlier run (a replica killed while it held them) owes the trail goes with this one's
    expect(fresh.journal.adopted).toEqual([TASK_ID]);
  });

  it('journals the lost terminal event of a task that ended, read from its row, after the last one', async () => {
    const { log, journal } = setUp(
      { seq: 4, name: 'orchestrator.step.completed' },
      { status: 'completed', result: '2', planner: 'builtin', durationMs: 12 },
    );
    await log.ensureTerminalEvent(TASK_ID, 'builtin');
    expect(journal.published.map((e) => [e.seq, e.name])).toEqual([
      [5, 'orchestrator.task.completed'],
    ]);
  });

  it('journals nothing when the journal ends with the terminal event', async () => {
    const { log, journal } = setUp(
      { seq: 5, name: 'orchestrator.task.completed' },
      {
        status: 'completed',
      },
    );
    await log.ensureTerminalEvent(TASK_ID, 'builtin');
    expect(journal.written).toEqual([]);
  });
});
