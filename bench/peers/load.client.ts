// The one load client, the same for every system: `POST /orchestrate/stream` with the demo task, each
// task from its own user (per-user limits are not what this measures), read as SSE until the stream
// ends; a task counts only when its events show success.
import { DEMO_TASK, readSse, type SseEvent } from '@switchboard/testing';
import type { BenchSystem, TaskRecord } from './bench-system.js';

const TASK_TIMEOUT_MS = 60_000;
const runId = Date.now().toString(36);
let taskNo = 0;

const emptyResult = (): PhaseResult => ({ latencies: [], records: [], failures: [], elapsedMs: 0 });

export interface PhaseResult {
  /** Per successful task, ms from the request to the end of its stream. */
  latencies: number[];
  records: TaskRecord[];
  failures: string[];
  /** From the first request to the last stream's end (of the whole phase, when interleaved). */
  elapsedMs: number;
}

/** One demo task; throws with what went wrong. */
export async function runTask(system: BenchSystem): Promise<{ record: TaskRecord; ms: number }> {
  const user = `peers-${runId}-${taskNo++}`;
  const started = performance.now();
  const response = await fetch(`${system.url}/orchestrate/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': user },
    body: JSON.stringify({ task: DEMO_TASK }),
    signal: AbortSignal.timeout(TASK_TIMEOUT_MS),
  });
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const events: SseEvent[] = [];
  for await (const event of readSse(response)) events.push(event);
  const ms = performance.now() - started;
  const answer = system.answerOf(events);
  if (answer === undefined)
    throw new Error(`no success in the stream (last event: ${events.at(-1)?.data.slice(0, 300)})`);
  const taskId = response.headers.get('x-task-id');
  if (!taskId) throw new Error('no X-Task-Id header');
  return { record: { taskId, user, answer }, ms };
}

/** `tasks` demo tasks with `concurrency` in flight (1: one after the other). */
export async function runPhase(
  system: BenchSystem,
  tasks: number,
  concurrency: number,
): Promise<PhaseResult> {
  const result = emptyResult();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tasks) }, async () => {
      while (next < tasks) {
        next++;
        await runInto(system, result);
      }
    }),
  );
  result.elapsedMs = performance.now() - started;
  return result;
}

/**
 * `tasksEach` sequential tasks per system, one at a time, taking the systems in turn (the order
 * rotating every turn), so that whatever else the machine does lands on all of them alike.
 */
export async function runInterleaved(
  systems: readonly BenchSystem[],
  tasksEach: number,
): Promise<Map<BenchSystem, PhaseResult>> {
  const results = new Map(systems.map((s) => [s, emptyResult()]));
  const started = performance.now();
  for (let turn = 0; turn < tasksEach; turn++)
    for (let i = 0; i < systems.length; i++) {
      const system = systems[(turn + i) % systems.length] as BenchSystem;
      await runInto(system, results.get(system) as PhaseResult);
    }
  for (const result of results.values()) result.elapsedMs = performance.now() - started;
  return results;
}

async function runInto(system: BenchSystem, result: PhaseResult): Promise<void> {
  try {
    const { record, ms } = await runTask(system);
    result.latencies.push(ms);
    result.records.push(record);
  } catch (e) {
    result.failures.push((e as Error).message);
  }
}
