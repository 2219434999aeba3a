import { type Actor, isDomainError, TaskEventStream, Tasks } from '@switchboard/contracts';
import { type BusClient, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

export interface SubmittedTask {
  taskId: string;
  actor: Actor;
  /** Resolves with every event of the task up to and including the terminal one. */
  done: Promise<Tasks.TaskEvent[]>;
  /** Events seen so far. */
  events: Tasks.TaskEvent[];
  /** Resolves with the first event of that name. */
  next(name: Tasks.TaskEventName): Promise<Tasks.TaskEvent>;
}

/**
 * Submits a task on the durable stream exactly as the gateway does (with `run`, a replay or fork of a
 * recorded task) and follows its events as the gateway does: from the task event stream (replayed from
 * the start), and, when a seq is missing there, from the task's journal (TaskEvents). Events go out
 * live after their commit, at most once: one a replica journaled and died before publishing is in the
 * journal alone (a clean-clone CI run saw the crash spec miss seq 9 so).
 */
export async function submitTask(
  client: BusClient,
  request: Tasks.TaskRequest,
  actor: Actor = { userId: `user-${randomUUID().slice(0, 8)}`, role: 'user' },
  taskId: string = randomUUID(),
  run?: Tasks.RunOrigin,
): Promise<SubmittedTask> {
  const events: Tasks.TaskEvent[] = [];
  const waiters: { name: Tasks.TaskEventName; resolve: (e: Tasks.TaskEvent) => void }[] = [];
  const replay = await client.jetstream.replay(TaskEventStream, Tasks.taskEventsFilter(taskId), {
    follow: true,
  });
  const done = (async () => {
    reading: for await (const m of replay.messages) {
      for (const event of Tasks.eventsOf(Tasks.StoredTaskEvents.parse(m.data))) {
        events.push(event);
        for (const w of waiters.filter((x) => x.name === event.name)) w.resolve(event);
        if (Tasks.isTerminalTaskEvent(event)) break reading;
      }
    }
    await replay.stop();
    if (events.some((e, i) => e.seq !== i + 1))
      events.splice(0, events.length, ...(await journaled(client, taskId, actor)));
    return events;
  })();
  await client.jetstream.publish(
    Tasks.TaskSubmitted,
    [],
    {
      taskId,
      actor,
      request,
      submittedAt: new Date().toISOString(),
      correlationId: `test-${taskId}`,
      // a replay or fork of a recorded task, as the gateway submits one
      ...(run ? { run } : {}),
    },
    { msgId: taskId },
  );
  return {
    taskId,
    actor,
    done,
    events,
    next: (name) => {
      const seen = events.find((e) => e.name === name);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ name, resolve }));
    },
  };
}

/**
 * Every event of the task from its journal, a page at a time, as the gateway repairs a gap. A gap
 * follows an outage (what was journaled while NATS was down was never published), and just after
 * one the orchestrator may not be back on NATS yet: a request it does not answer for that reason
 * (no responders, retryable) is sent again until it does. A landing run's outage test failed so.
 */
async function journaled(
  client: BusClient,
  taskId: string,
  actor: Actor,
): Promise<Tasks.TaskEvent[]> {
  const events: Tasks.TaskEvent[] = [];
  for (;;) {
    const request = {
      taskId,
      afterSeq: events.at(-1)?.seq ?? 0,
      limit: Tasks.TASK_EVENTS_PAGE_MAX,
    };
    const answer = await waitFor(
      () =>
        client.bus.request(Tasks.TaskEvents, request, { actor }).then(
          (page) => ({ page }),
          (e: unknown) => (isDomainError(e) && e.retryable ? undefined : { error: e }),
        ),
      { timeoutMs: 30_000, what: `the orchestrator to answer for task ${taskId}'s journal` },
    );
    if ('error' in answer) throw answer.error;
    const { page } = answer;
    events.push(...page.events);
    if (!page.events.length || (events.at(-1)?.seq ?? 0) >= page.lastSeq) return events;
  }
}

export function terminal(events: Tasks.TaskEvent[]): Tasks.TaskEvent {
  const last = events[events.length - 1];
  if (!last || !Tasks.isTerminalTaskEvent(last))
    throw new Error(`no terminal event in ${events.map((e) => e.name).join(', ')}`);
  return last;
}

export function eventsNamed<N extends Tasks.TaskEventName>(
  events: Tasks.TaskEvent[],
  name: N,
): Tasks.TaskEventOf<N>[] {
  return events.filter((e): e is Tasks.TaskEventOf<N> => e.name === name);
}
