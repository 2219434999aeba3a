import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import { resolveUserScope, type ServerCallContext, type TaskStore } from '@a2a-js/sdk/server';
import { UnsupportedOperationError } from '@a2a-js/sdk/errors';
import { LRUCache } from 'lru-cache';

/** How many A2A task records one gateway replica keeps (the orchestrator keeps the durable ones). */
const MAX_TASKS = 10_000;

/**
 * The A2A view of tasks run through this replica, per caller (another user's task id is simply not
 * found) and bounded (least recently used first out). Tasks not in here are read from the orchestrator
 * by the request handler, so this is a cache of live executions, not the record.
 */
export class PlatformTaskStore implements TaskStore {
  private readonly tasks = new LRUCache<string, Task>({ max: MAX_TASKS });

  async save(task: Task, context: ServerCallContext): Promise<void> {
    this.tasks.set(key(context, task.id), structuredClone(task));
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const task = this.tasks.get(key(context, taskId));
    return task === undefined ? undefined : structuredClone(task);
  }

  /** Never asked: ListTasks reads the orchestrator's task list (PlatformRequestHandler). */
  async list(_params: ListTasksRequest, _context: ServerCallContext): Promise<ListTasksResponse> {
    throw new UnsupportedOperationError('ListTasks reads the orchestrator, not this cache');
  }
}

function key(context: ServerCallContext, taskId: string): string {
  return `${resolveUserScope(context)}\u0000${taskId}`;
}
