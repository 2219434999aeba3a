import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Api } from '../api/http.client';
import { readSse } from '../api/sse.client';
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
 * the task ends. A dropped connection resumes the same way, after a short wait. Each seq shows once.
 */
export function useTaskStream(
  api: Api,
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
    void follow(api, taskId, log, ac.signal, {
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
  }, [api, taskId]);
  return state;
}

interface FollowCallbacks {
  onEvents: () => void;
  onError: (message: string) => void;
}

async function follow(
  api: Api,
  taskId: string,
  log: EventLog,
  signal: AbortSignal,
  cb: FollowCallbacks,
): Promise<void> {
  let wait = 500;
  while (!signal.aborted && !log.ended) {
    // One connection; a hole in the sequence ends it, to read again from the last event held.
    const attempt = new AbortController();
    const stop = () => attempt.abort();
    signal.addEventListener('abort', stop);
    let gap = false;
    try {
      const { status } = await readSse(api.url(`tasks/${taskId}/events`), {
        headers: api.authHeaders(),
        signal: attempt.signal,
        ...(log.lastSeq > 0 ? { lastEventId: String(log.lastSeq) } : {}),
        onMessage: (m) => {
          if (gap || !m.data) return;
          const outcome = log.add(JSON.parse(m.data) as TaskEvent);
          if (outcome === 'added') cb.onEvents();
          if (outcome === 'gap') {
            gap = true;
            attempt.abort();
          }
        },
      });
      if (status === 204) return; // nothing after the last event held: the task has ended
      wait = 500;
    } catch (e) {
      if (signal.aborted) return;
      if (gap) continue;
      const permanent = e instanceof ApiError && e.status < 500 && e.status !== 429;
      cb.onError(describeError(e));
      if (permanent) return;
    } finally {
      signal.removeEventListener('abort', stop);
    }
    if (!log.ended && !signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, 10_000);
    }
  }
}
