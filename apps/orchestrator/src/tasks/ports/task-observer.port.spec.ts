import { describe, expect, it } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import { observeEnded, observeReleased, type TaskObserver } from './task-observer.port.js';

const submission = {
  taskId: '11111111-1111-4111-8111-111111111111',
  actor: { userId: 'ann', role: 'user' },
  request: { task: 'hi' },
  submittedAt: '2026-11-25T10:00:00.000Z',
  correlationId: 'c1',
} as Tasks.TaskSubmission;

describe('task observers', () => {
  it('are told one after the other, in the order app.module lists them, each awaited', async () => {
    const log: string[] = [];
    const observer = (name: string): TaskObserver => ({
      ended: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`${name} ended`);
      },
      released: async () => void log.push(`${name} released`),
    });
    // One that hears of releases only.
    const releasesOnly: TaskObserver = { released: async () => void log.push('c released') };
    const observers = [observer('a'), observer('b'), releasesOnly];
    await observeEnded(observers, {
      submission,
      text: 'hi',
      outcome: { status: 'cancelled', reason: 'x' },
    });
    await observeReleased(observers, { taskId: submission.taskId });
    expect(log).toEqual(['a ended', 'b ended', 'a released', 'b released', 'c released']);
  });
});
