import { describe, expect, it } from '@jest/globals';
import { abortable } from './abortable.js';

describe('abortable', () => {
  it('settles with the promise while the signal stays quiet, and stops listening', async () => {
    const controller = new AbortController();
    await expect(abortable(Promise.resolve(7), controller.signal)).resolves.toBe(7);
    await expect(abortable(Promise.reject(new Error('no')), controller.signal)).rejects.toThrow(
      'no',
    );
    // A late abort must not reject a promise that has already settled.
    controller.abort(new Error('late'));
  });

  it("rejects with the signal's reason as soon as it aborts, before the promise settles", async () => {
    const controller = new AbortController();
    const pending = abortable(new Promise<never>(() => undefined), controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });

  it('rejects at once for a signal that has already aborted, with the reason asked for', async () => {
    const signal = AbortSignal.abort(new Error('before'));
    await expect(
      abortable(
        Promise.resolve(1),
        signal,
        (s) => new Error(`wrapped: ${(s.reason as Error).message}`),
      ),
    ).rejects.toThrow('wrapped: before');
  });
});
