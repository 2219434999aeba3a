import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError, type Tasks } from '@switchboard/contracts';
import type { FastifyReply } from 'fastify';
import { NamedEventFormat } from '../event-format.js';
import type { SubmitTaskUseCase } from '../submit-task/submit-task.use-case.js';
import type { PreparedStream, TaskStreamer } from '../task-streamer.js';
import { StreamNewTaskUseCase } from './stream-new-task.use-case.js';

const alice: Actor = { userId: 'alice', role: 'user' };
const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';
const reply = {} as FastifyReply;

/** What happened, in order: the stream prepared, the task submitted, the stream run or aborted. */
function setup(opts: { submitFails?: Error; prepareFails?: Error } = {}) {
  const steps: string[] = [];
  const submit = {
    newTaskId: () => TASK,
    execute: async () => {
      steps.push('submit');
      if (opts.submitFails) throw opts.submitFails;
    },
  } as unknown as SubmitTaskUseCase;
  const prepared = { taskId: TASK, abort: () => steps.push('abort') } as unknown as PreparedStream;
  const headers: Record<string, string>[] = [];
  const streamer = {
    prepare: async (
      _a: Actor,
      taskId: string,
      _kind: string,
      follow: { afterSeq: number; replay: boolean },
    ) => {
      steps.push(`prepare ${taskId} after ${follow.afterSeq} replay ${follow.replay}`);
      if (opts.prepareFails) throw opts.prepareFails;
      return prepared;
    },
    run: async (_r: unknown, p: PreparedStream, _f: unknown, h: Record<string, string>) => {
      expect(p).toBe(prepared);
      headers.push(h);
      steps.push('run');
    },
  } as unknown as TaskStreamer;
  return { sut: new StreamNewTaskUseCase(submit, streamer), steps, headers };
}

const body = { task: 'what is 17 * 23' } as Tasks.TaskRequest;

describe(StreamNewTaskUseCase.name, () => {
  it('takes the stream before it submits, so not even the first event is missed', async () => {
    const { sut, steps, headers } = setup();
    await sut.execute(reply, alice, body, 'req-1', () => new NamedEventFormat());
    expect(steps).toEqual([`prepare ${TASK} after 0 replay false`, 'submit', 'run']);
    expect(headers).toEqual([{ 'x-task-id': TASK, 'x-request-id': 'req-1' }]);
  });

  it('submits nothing when the stream is refused (the user’s stream cap)', async () => {
    const refused = new DomainError('RATE_LIMITED', 'too many open streams');
    const { sut, steps } = setup({ prepareFails: refused });
    await expect(
      sut.execute(reply, alice, body, 'req-2', () => new NamedEventFormat()),
    ).rejects.toBe(refused);
    expect(steps).not.toContain('submit');
  });

  it('gives the stream back when the submission fails', async () => {
    const down = new DomainError('UPSTREAM_UNAVAILABLE', 'the submission stream is down');
    const { sut, steps } = setup({ submitFails: down });
    await expect(
      sut.execute(reply, alice, body, 'req-3', () => new NamedEventFormat()),
    ).rejects.toBe(down);
    expect(steps.slice(1)).toEqual(['submit', 'abort']);
  });
});
