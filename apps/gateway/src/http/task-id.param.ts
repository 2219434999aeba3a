import { parseOrThrow, Tasks } from '@switchboard/contracts';
import type { PathParams } from './http-relay.js';

/** A task id read from a path, checked: VALIDATION naming `what` (`task id`) when it is not one. */
export function taskIdOf(id: string | undefined, what = 'task id'): string {
  return parseOrThrow(Tasks.TaskId, id, what);
}

/** The task id of a relayed route whose path names it `:id`. */
export const taskOf = (params: PathParams): string => taskIdOf(params['id']);
