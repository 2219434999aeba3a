import { describe, expect, it } from '@jest/globals';
import { type Actor, Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { FastifyReply } from 'fastify';
import { demoTaskEvents } from '../../agui/task-events.fixture.js';
import type { TaskAccess } from '../task-access.js';
import type { TaskSessions } from '../session/task-sessions.js';
import type { TaskStreamer } from '../task-streamer.js';
import { ResumeTaskStreamUseCase } from './resume-task-stream.use-case.js';

const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';
const alice: Actor = { userId: 'alice', role: 'user' };
const events = demoTaskEvents(TASK);
const last = events.at(-1)!;

/** A reply that records its status; a streamer that records how it was asked to follow. */
function setup(
  stored: Tasks.TaskEvent | undefined,
  view?: Partial<Tasks.TaskView>,
  journal: 'up' | 'unreadable' = 'up',
) {
  const sent: { status?: number; headers: Record<string, string> } = { headers: {} };
  const reply = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return this;
    },
    send: async () => undefined,
  } as unknown as FastifyReply;
  const follows: unknown[] = [];
  const sessions = {
    attach: async (_a: Actor, _t: string, follow: unknown) => {
      follows.push(follow);
      return {};
    },
  } as unknown as TaskSessions;
  const streamer = { run: async () => undefined } as unknown as TaskStreamer;
  const access = {
    ensureStreamable: async () => (view ? { taskId: TASK, lastEventSeq: 0, ...view } : undefined),
  } as unknown as TaskAccess;
  // The orchestrator's journal: where it ends (TaskEvents).
  const bus = {
    request: async () => {
      if (journal === 'unreadable') throw new Error('request timed out');
      return journalEnd();
    },
  } as unknown as NatsBus;
  const journalEnd = () => ({
    taskId: TASK,
    events: [],
    lastSeq: stored?.seq ?? 0,
    ended: stored ? Tasks.isTerminalTaskEvent(stored) : false,
  });
  const sut = new ResumeTaskStreamUseCase(access, sessions, streamer, bus);
  return { sut, reply, sent, follows };
}

describe(ResumeTaskStreamUseCase.name, () => {
  it('answers 204 to a client that already has the task’s last event: nothing more comes', async () => {
    const { sut, reply, sent, follows } = setup(last);
    await sut.execute(reply, alice, TASK, last.seq, 'req-1');
    expect(sent).toEqual({ status: 204, headers: { 'x-task-id': TASK, 'x-request-id': 'req-1' } });
    expect(follows).toEqual([]);
  });

  it('answers 204 from the stored task when its journal holds none', async () => {
    const { sut, reply, sent } = setup(undefined, { status: 'completed', lastEventSeq: 9 });
    await sut.execute(reply, alice, TASK, 9, 'req-2');
    expect(sent.status).toBe(204);
  });

  it('replays after the client’s position, telling the feed what it has just read', async () => {
    const running = events[2]!;
    const { sut, reply, follows } = setup(running, {
      status: 'running',
      lastEventSeq: running.seq,
    });
    await sut.execute(reply, alice, TASK, 1, 'req-3');
    expect(follows).toEqual([
      {
        slot: 'named',
        afterSeq: 1,
        known: { eventsStored: true, view: expect.objectContaining({ status: 'running' }) },
      },
    ]);
  });

  it('clamps a Last-Event-ID beyond a running task’s last event, so the stream still ends with it', async () => {
    const running = events[2]!;
    const { sut, reply, follows } = setup(running);
    await sut.execute(reply, alice, TASK, 500, 'req-4');
    expect(follows).toEqual([expect.objectContaining({ afterSeq: running.seq })]);
  });

  it('keeps the client’s position when the journal cannot be read: a running task’s row lags it', async () => {
    // The row was last written when the task was claimed; the client has seen seq 4 since.
    const { sut, reply, follows } = setup(
      undefined,
      { status: 'running', lastEventSeq: 1 },
      'unreadable',
    );
    await sut.execute(reply, alice, TASK, 4, 'req-5');
    expect(follows).toEqual([expect.objectContaining({ afterSeq: 4 })]);
  });
});
