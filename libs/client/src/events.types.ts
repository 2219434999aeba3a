import type { TaskEvent, TaskEventName } from './wire.js';

/** The event of one name, e.g. `TaskEventOf<'orchestrator.task.completed'>` (its `data` typed). */
export type TaskEventOf<N extends TaskEventName> = Extract<TaskEvent, { name: N }>;
