import { describe, expect, it, jest } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import type { RunSlot } from '../ports/run-slot.port.js';
import type { StartGate } from '../ports/start-gate.port.js';
import type { CancellationRegistry } from '../cancellation.registry.js';
import type { FinishTaskUseCase } from '../finish-task/finish-task.use-case.js';
import type { PauseTaskUseCase } from '../pause-task/pause-task.use-case.js';
import type { PauseResult } from '../task.repository.js';
import type { TaskTelemetry } from '../task.telemetry.js';
import type { StartTask } from './start-task.js';
import type { TaskLoop } from './task-loop.js';
import type { TaskRun } from './task-run.js';
import type { Outcome } from '../ports/task-run.view.js';
import { RunTaskUseCase } from './run-task.use-case.js';

const submission = {
  taskId: '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b',
  actor: { userId: 'ann', role: 'user' },
  request: { task: 'delete the file' },
  submittedAt: new Date().toISOString(),
  correlationId: 'c-1',
} as Tasks.TaskSubmission;

/** A run whose loop stopped for an approval, and a pause that found `paused`. */
async function runPausing(paused: PauseResult) {
  const run = {
    submission,
    signal: new AbortController().signal,
    startedAt: new Date(),
    resumed: false,
  } as unknown as TaskRun;
  const finished: Outcome[] = [];
  const pausedRuns: TaskRun[] = [];
  const sut = new RunTaskUseCase(
    { start: async () => ({ run, storedSteps: [] }) } as unknown as StartTask,
    { run: async () => ({ status: 'waiting_approval' }) } as unknown as TaskLoop,
    {
      finish: async (_r: TaskRun, outcome: Outcome) => void finished.push(outcome),
    } as unknown as FinishTaskUseCase,
    {
      pause: async (r: TaskRun) => {
        pausedRuns.push(r);
        return paused;
      },
    } as unknown as PauseTaskUseCase,
    {
      listen: () => true,
      unregister: jest.fn(),
      broadcast: jest.fn(),
    } as unknown as CancellationRegistry,
    {
      track: (_s: unknown, _d: unknown, f: () => Promise<void>) => f(),
      begin: jest.fn(),
      end: jest.fn(),
    } as unknown as TaskTelemetry,
    { hold: () => () => undefined } as unknown as RunSlot,
    { TASK_TIMEOUT_MS: 60_000 },
    { mayRun: async () => true } as unknown as StartGate,
  );
  await sut.execute(submission, 1);
  return { run, finished, pausedRuns };
}

describe('RunTaskUseCase, a task that stops for an approval', () => {
  it('is left waiting when its row is stored as waiting', async () => {
    const { run, finished, pausedRuns } = await runPausing({ paused: true });
    expect(pausedRuns).toEqual([run]);
    expect(finished).toEqual([]);
  });

  it('ends as cancelled when a cancel was stored while it paused, with the cancel’s reason', async () => {
    const { run, finished, pausedRuns } = await runPausing({
      paused: false,
      state: 'cancelling',
      cancelReason: 'changed my mind',
    });
    expect(pausedRuns).toEqual([run]);
    expect(finished).toEqual([{ status: 'cancelled', reason: 'changed my mind' }]);
  });

  it('is delivered again when another run ended it meanwhile (it then finds it ended)', async () => {
    await expect(runPausing({ paused: false, state: 'completed' })).rejects.toThrow(
      /ended while it paused/,
    );
  });
});
