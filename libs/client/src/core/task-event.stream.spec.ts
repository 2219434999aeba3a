import { describe, expect, it } from '@jest/globals';
import { type Answer, fakeGateway, frame, json, refused, sse } from '../../test/fake-gateway.js';
import { SwitchboardClient } from '../client.js';
import type { TaskEvent } from '../wire.js';
import { StreamInterruptedError } from './errors.js';
import type { ReconnectOptions } from './task-event.stream.js';

const TASK = '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
const started = frame(TASK, 1, 'orchestrator.task.started');
const planning = frame(TASK, 2, 'orchestrator.planning.started');
const step = frame(TASK, 3, 'orchestrator.step.dispatching');
const stepDone = frame(TASK, 4, 'orchestrator.step.completed');
const completed = frame(TASK, 5, 'orchestrator.task.completed', { result: '42' });

function client(answers: Answer[], reconnect: ReconnectOptions = {}) {
  const gw = fakeGateway(answers);
  const sut = new SwitchboardClient({
    baseUrl: 'http://gateway.test',
    dev: { userId: 'ada' },
    fetch: gw.fetch,
    reconnect: { initialDelayMs: 1, maxDelayMs: 5, ...reconnect },
  });
  return { sut, gw };
}

async function seqs(events: AsyncIterable<TaskEvent>): Promise<number[]> {
  const out: number[] = [];
  for await (const e of events) out.push(e.seq);
  return out;
}

describe('a task event stream', () => {
  it('resumes a dropped connection after the last event it gave: no gap, no repeat', async () => {
    const { sut, gw } = client([
      sse([started, planning], { end: 'error', headers: { 'x-task-id': TASK } }),
      // The gateway restarting: nothing listens for a while.
      refused(),
      refused(),
      // A resumed stream that repeats an event the client has (a replay from an older point).
      sse([planning, step, stepDone, completed]),
    ]);
    const stream = await sut.tasks.stream({ task: 'what is 6 * 7' });
    expect(stream.taskId).toBe(TASK);
    expect(await seqs(stream)).toEqual([1, 2, 3, 4, 5]);
    expect(stream.resumptions).toBe(1);
    expect(gw.seen.map((r) => [r.method, r.url.pathname, r.headers['last-event-id']])).toEqual([
      ['POST', '/orchestrate/stream', undefined],
      ['GET', `/tasks/${TASK}/events`, '2'],
      ['GET', `/tasks/${TASK}/events`, '2'],
      ['GET', `/tasks/${TASK}/events`, '2'],
    ]);
  });

  it('resumes a body that ended before its task did, and ends when the gateway says nothing more comes (204)', async () => {
    const { sut, gw } = client([
      sse([started, planning, step]),
      sse([stepDone]),
      new Response(null, { status: 204 }),
    ]);
    const stream = await sut.tasks.events(TASK);
    expect(await seqs(stream)).toEqual([1, 2, 3, 4]);
    expect(gw.seen.map((r) => r.headers['last-event-id'])).toEqual([undefined, '3', '4']);
  });

  it('starts after `after`, and waits out a stream slot not given back yet (429 Retry-After)', async () => {
    const { sut, gw } = client([
      sse([step], { end: 'error' }),
      json(
        429,
        { code: 'RATE_LIMITED', message: 'streams', details: { limit: 'streams' }, requestId: 'r' },
        { 'retry-after': '0' },
      ),
      sse([stepDone, completed]),
    ]);
    const stream = await sut.tasks.events(TASK, { after: 2 });
    expect(await seqs(stream)).toEqual([3, 4, 5]);
    expect(gw.seen.map((r) => r.headers['last-event-id'])).toEqual(['2', '3', '3']);
  });

  it('replaces a connection that carries nothing, not even a heartbeat, for idleTimeoutMs', async () => {
    const endsAt3 = frame(TASK, 3, 'orchestrator.task.completed', { result: '42' });
    const { sut } = client([sse([started], { end: 'open' }), sse([planning, endsAt3])], {
      idleTimeoutMs: 30,
    });
    expect(await seqs(await sut.tasks.events(TASK))).toEqual([1, 2, 3]);
  });

  it('gives up once the reconnect budget is spent, saying where to resume', async () => {
    const { sut } = client(
      [sse([started, planning], { end: 'error' }), ...Array.from({ length: 50 }, refused)],
      {
        maxElapsedMs: 40,
      },
    );
    const stream = await sut.tasks.events(TASK);
    const got: number[] = [];
    const e = await (async () => {
      try {
        for await (const ev of stream) got.push(ev.seq);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(got).toEqual([1, 2]);
    expect(e).toBeInstanceOf(StreamInterruptedError);
    expect(e).toMatchObject({ taskId: TASK, lastEventId: 2, code: 'STREAM_INTERRUPTED' });
  });

  it('does not resume what a refusal ends (404: not yours), and stops when the caller aborts or closes', async () => {
    const { sut } = client([
      sse([started], { end: 'error' }),
      json(404, { code: 'NOT_FOUND', message: 'no such task', requestId: 'r' }),
    ]);
    await expect(seqs(await sut.tasks.events(TASK))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });

    const ac = new AbortController();
    const reason = new Error('page closed');
    const aborted = client([sse([started], { end: 'open' })]).sut;
    const stream = await aborted.tasks.events(TASK, { signal: ac.signal });
    const seen: number[] = [];
    const done = (async () => {
      for await (const e of stream) {
        seen.push(e.seq);
        ac.abort(reason);
      }
    })();
    await expect(done).rejects.toBe(reason);
    expect(seen).toEqual([1]);

    const closing = client([sse([started], { end: 'open' })]).sut;
    const closed = await closing.tasks.events(TASK);
    const got: number[] = [];
    for await (const e of closed) {
      got.push(e.seq);
      closed.close();
    }
    expect(got).toEqual([1]);
  });
});
