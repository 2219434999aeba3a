import type { Tasks } from '@switchboard/contracts';
import type { ForkBody } from '../model/fork-form';
import type { Api } from './http.client';

/** The answer of `POST /tasks/{id}/replay` and `/fork` (202): the new task and its links. */
export interface RunAccepted {
  task_id: string;
  status: 'queued';
  run: { kind: Tasks.RunKind; of: string; from?: Tasks.ForkPoint };
  links: { self: string; events: string; parent: string; diff: string };
}

const task = (id: string) => `tasks/${encodeURIComponent(id)}`;

/**
 * Replays an ended task from its record (docs/replay.md): nothing is called, and its events end with
 * a verdict. Rejects with the API's error: 409 while the task runs, 404 not the user's to read.
 */
export function replayTask(api: Api, taskId: string): Promise<RunAccepted> {
  return api.post<RunAccepted>(`${task(taskId)}/replay`, {});
}

/** Forks an ended task; 400 (VALIDATION, naming the field) for a body or fork point the API refuses. */
export function forkTask(api: Api, taskId: string, body: ForkBody): Promise<RunAccepted> {
  return api.post<RunAccepted>(`${task(taskId)}/fork`, body);
}

/** A task as stored, with its origin, verdict and its own replays and forks (`runs`). */
export function taskView(api: Api, taskId: string, signal?: AbortSignal): Promise<Tasks.TaskView> {
  return api.get<Tasks.TaskView>(task(taskId), {}, signal);
}

/** Two runs of a task side by side (`GET /tasks/{a}/diff/{b}`). */
export function taskDiff(
  api: Api,
  a: string,
  b: string,
  signal?: AbortSignal,
): Promise<Tasks.TaskDiffView> {
  return api.get<Tasks.TaskDiffView>(`${task(a)}/diff/${encodeURIComponent(b)}`, {}, signal);
}
