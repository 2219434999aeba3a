import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { ResponseBodyStream, type ResponseBodyStreamOptions } from './response-body.stream.js';

const OPTIONS: ResponseBodyStreamOptions = {
  maxBytes: 1_000,
  idleMs: 60_000,
  flushMs: 60_000,
  eventStream: true,
  highWaterBytes: 256,
};

/** A response body the test writes; `aborted` counts the aborts of the local request. */
function setup(options: Partial<ResponseBodyStreamOptions> = {}) {
  const res = new PassThrough();
  const state = { aborted: 0 };
  const sut = new ResponseBodyStream(
    res as unknown as IncomingMessage,
    () => {
      state.aborted++;
      res.destroy();
    },
    { ...OPTIONS, ...options },
  );
  return { sut, res, state };
}

describe(ResponseBodyStream.name, () => {
  it('lets each SSE event go as soon as it is complete, and ends with the body', async () => {
    const { sut, res } = setup();
    res.write('data: one\n\n');
    expect((await sut.next(1_000))?.toString()).toBe('data: one\n\n');
    // Half an event waits (for the rest or the flush timer); the rest completes it.
    res.write('data: t');
    res.write('wo\n\n');
    expect((await sut.next(1_000))?.toString()).toBe('data: two\n\n');
    res.end();
    expect(await sut.next(1_000)).toBeUndefined();
  });

  it('sends what waits after the flush timer, in pieces of at most the asked size', async () => {
    const { sut, res } = setup({ eventStream: false, flushMs: 5 });
    res.write('x'.repeat(10));
    expect((await sut.next(4))?.toString()).toBe('xxxx');
    expect((await sut.next(4))?.toString()).toBe('xxxx');
    expect((await sut.next(4))?.toString()).toBe('xx');
    res.end('tail');
    expect((await sut.next(100))?.toString()).toBe('tail');
    expect(await sut.next(100)).toBeUndefined();
  });

  it('aborts the request when the body grows over the limit or the target stays silent', async () => {
    const big = setup({ maxBytes: 8 });
    big.res.write('123456789');
    await expect(big.sut.next(100)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(big.state.aborted).toBe(1);
    const quiet = setup({ idleMs: 20 });
    await expect(quiet.sut.next(100)).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining('sent nothing for 20 ms'),
    });
    expect(quiet.state.aborted).toBe(1);
  });

  it('fails when the target breaks off, and stops at once when aborted', async () => {
    const broken = setup();
    broken.res.destroy();
    await expect(broken.sut.next(100)).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    const { sut, state } = setup();
    const waiting = sut.next(100);
    sut.abort('the requester closed the stream');
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(state.aborted).toBe(1);
  });

  it('pauses the target while the XMPP side falls behind', async () => {
    const { sut, res } = setup({ highWaterBytes: 8 });
    res.write('0123456789\n\n');
    await new Promise((r) => setImmediate(r));
    expect(res.isPaused()).toBe(true);
    await sut.next(100);
    expect(res.isPaused()).toBe(false);
    sut.abort('done');
  });

  it('tells whether a body of unknown length ended within the hold time', async () => {
    const quick = setup({ eventStream: false });
    quick.res.end('{"all":"here"}');
    expect(await quick.sut.endedWithin(1_000)).toBe(true);
    expect(quick.sut.drain().toString()).toBe('{"all":"here"}');
    const slow = setup({ eventStream: false });
    slow.res.write('{"still":');
    expect(await slow.sut.endedWithin(10)).toBe(false);
    slow.sut.abort('done');
  });
});
