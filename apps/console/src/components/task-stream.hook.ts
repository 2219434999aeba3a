import { ApiError, type SwitchboardClient } from '@switchboard/client';
import { useEffect, useState } from 'preact/hooks';
import type { KeyValueStore } from '../api/session';
import { EventLog, loadEvents, saveEvents, type TaskEvent } from '../model/event-log';
import { describeError } from './load.hook';

export interface TaskStream {
  events: readonly TaskEvent[];
  ended: boolean;
  error?: string;
  /** The Last-Event-ID the page resumed with, when it had events already (after a reload). */
  resumedAfter?: number;
}

/** How often the events a page holds are copied to sessionStorage while they arrive. */
const SAVE_EVERY_MS = 200;

/**
 * Follows one task's events (GET /tasks/{id}/events): replayed from the first, or — with `persist`,
 * after a reload — from the last one the tab kept, sending its seq as Last-Event-ID; then live until
 * the task ends. The client resumes a dropped connection the same way; each seq shows once.
 */
export function useTaskStream(
  client: SwitchboardClient,
  taskId: string | undefined,
  opts: { persist?: KeyValueStore } = {},
): TaskStream {
  const [state, setState] = useState<TaskStream>({ events: [], ended: false });
  useEffect(() => {
    if (!taskId) {
      setState({ events: [], ended: false });
      return;
    }
    const log = new EventLog(opts.persist ? loadEvents(opts.persist, taskId) : []);
    const resumedAfter = log.lastSeq > 0 ? log.lastSeq : undefined;
    const ac = new AbortController();
    let saveTimer: ReturnType<typeof setTimeout> | undefined;
    const save = () => {
      saveTimer = undefined;
      if (opts.persist) saveEvents(opts.persist, taskId, log.events);
    };
    const publish = (error?: string) =>
      setState({
        events: log.events.slice(),
        ended: log.ended,
        ...(error ? { error } : {}),
        ...(resumedAfter ? { resumedAfter } : {}),
      });
    publish();
    void follow(client, taskId, log, ac.signal, {
      onEvents: () => {
        publish();
        saveTimer ??= setTimeout(save, SAVE_EVERY_MS);
      },
      onError: (e) => publish(e),
    }).finally(() => {
      if (saveTimer) clearTimeout(saveTimer);
      if (!ac.signal.aborted) {
        save();
        publish();
      }
    });
    const onHide = () => save();
    addEventListener('pagehide', onHide);
    return () => {
      ac.abort();
      removeEventListener('pagehide', onHide);
      if (saveTimer) clearTimeout(saveTimer);
      save();
    };
  }, [client, taskId]);
  return state;
}

interface FollowCallbacks {
  onEvents: () => void;
  onError: (message: string) => void;
}

/**
 * Reads the task's events into `log` until the task ends. The client's stream resumes a dropped
 * connection by itself; a hole the log finds in the sequence, or a stream the client gave up on (the
 * gateway away past its reconnect budget), opens a new one from the last event held, after a wait.
 */
async function follow(
  client: SwitchboardClient,
  taskId: string,
  log: EventLog,
  signal: AbortSignal,
  cb: FollowCallbacks,
): Promise<void> {
  let wait = 500;
  while (!signal.aborted && !log.ended) {
    try {
      const stream = await client.tasks.events(taskId, { after: log.lastSeq, signal });
      let gap = false;
      for await (const e of stream) {
        const outcome = log.add(e);
        if (outcome === 'added') cb.onEvents();
        if (outcome === 'gap') {
          gap = true;
          break; // leaving the loop closes the connection: read again from the last event held
        }
      }
      if (!gap) return; // the task ended, or nothing came after the last event held (204)
      wait = 500;
      continue;
    } catch (e) {
      if (signal.aborted) return;
      const permanent = e instanceof ApiError && e.status < 500 && e.status !== 429;
      cb.onError(describeError(e));
      if (permanent) return;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, 10_000);
  }
}
