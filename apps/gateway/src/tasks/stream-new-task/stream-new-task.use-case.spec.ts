import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError, type Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { FastifyReply } from 'fastify';
import { DeferredRateCharge } from '../../limits/rate-limiter.js';
import type { StreamSlots } from '../../limits/stream-slots.js';
import { NamedEventFormat } from '../event-format.js';
import type { TaskEventFollower } from '../feed/task-event.follower.js';
import type { TaskSession } from '../session/task-session.js';
import { TaskSessions } from '../session/task-sessions.js';
import type { SubmitOptions, SubmitTaskUseCase } from '../submit-task/submit-task.use-case.js';
import type { TaskStreamer } from '../task-streamer.js';
import { StreamNewTaskUseCase } from './stream-new-task.use-case.js';

const alice: Actor = { userId: 'alice', role: 'user' };
const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';
const reply = {} as FastifyReply;

/**
 * What happened, in order: the feed taken, the task admitted with its slot (and the request's rate
 * charge) and stored, the stream run.
 */
function setup(opts: { submitFails?: Error; slotRefused?: Error } = {}) {
  const steps: string[] = [];
  const submit = {
    newTaskId: () => TASK,
    execute: async (_t: string, _a: Actor, _r: unknown, _c: string, submitted: SubmitOptions) => {
      const rate = submitted.holds?.rate ? 'rate left' : 'rate charged';
      steps.push(`admit slot ${submitted.holds?.slot}, ${rate}`);
      if (opts.slotRefused) throw opts.slotRefused;
      if (opts.submitFails) {
        steps.push('slot released'); // the use case gives back what its admission took
        throw opts.submitFails;
      }
      steps.push('store');
      return {
        release: () => steps.push('slot released'),
        taskEnded: () => steps.push('slot left to the task end'),
      };
    },
  } as unknown as SubmitTaskUseCase;
  const slots = {
    acquire: async (_a: Actor, kind: string) => {
      steps.push(`slot ${kind}`);
      if (opts.slotRefused) throw opts.slotRefused;
      return { release: () => steps.push('slot released') };
    },
  } as unknown as StreamSlots;
  const follower = {
    follow: async (taskId: string, follow: { afterSeq: number; replay: boolean }) => {
      steps.push(`follow ${taskId} after ${follow.afterSeq} replay ${follow.replay}`);
      return { close: () => steps.push('feed closed') };
    },
  } as unknown as TaskEventFollower;
  const logger = { warn: () => undefined } as unknown as Logger;
  const sessions = new TaskSessions(submit, follower, slots, {} as NatsBus, logger);
  const headers: Record<string, string>[] = [];
  const streamer = {
    run: async (_r: unknown, s: TaskSession, _f: unknown, h: Record<string, string>) => {
      expect(s.taskId).toBe(TASK);
      expect(s.state).toBe('started');
      headers.push(h);
      steps.push('run');
    },
  } as unknown as TaskStreamer;
  return { sut: new StreamNewTaskUseCase(sessions, streamer), steps, headers };
}

const body = { task: 'what is 17 * 23' } as Tasks.TaskRequest;

describe(StreamNewTaskUseCase.name, () => {
  it('takes the stream before it submits (not even the first event is missed), its slot with the admission', async () => {
    const { sut, steps, headers } = setup();
    const rate = new DeferredRateCharge({ admit: async () => undefined }, alice);
    await sut.execute(reply, alice, body, 'req-1', () => new NamedEventFormat(), rate);
    expect(steps).toEqual([
      `follow ${TASK} after 0 replay false`,
      'admit slot named, rate left',
      'store',
      'run',
    ]);
    expect(headers).toEqual([{ 'x-task-id': TASK, 'x-request-id': 'req-1' }]);
  });

  it('submits nothing when the stream is refused (the user’s stream cap)', async () => {
    const refused = new DomainError('RATE_LIMITED', 'too many open streams');
    const { sut, steps } = setup({ slotRefused: refused });
    await expect(
      sut.execute(reply, alice, body, 'req-2', () => new NamedEventFormat()),
    ).rejects.toBe(refused);
    expect(steps).not.toContain('store');
    expect(steps).toContain('feed closed');
  });

  it('gives the stream back when the submission fails', async () => {
    const down = new DomainError('UPSTREAM_UNAVAILABLE', 'the submission stream is down');
    const { sut, steps } = setup({ submitFails: down });
    await expect(
      sut.execute(reply, alice, body, 'req-3', () => new NamedEventFormat()),
    ).rejects.toBe(down);
    expect(steps.slice(1)).toEqual([
      'admit slot named, rate charged',
      'slot released',
      'feed closed',
    ]);
  });
});
