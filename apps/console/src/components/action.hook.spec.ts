import { describe, expect, it } from '@jest/globals';
import { ApiError } from '@switchboard/client';
import { actionRunner } from './action.hook';

describe(actionRunner.name, () => {
  it('clears the refusal shown before and hands the result on when the call succeeds', async () => {
    const errors: (string | undefined)[] = [];
    const results: number[] = [];
    await actionRunner((e) => errors.push(e))(Promise.resolve(7), (r) => results.push(r));
    expect(errors).toEqual([undefined]);
    expect(results).toEqual([7]);
  });

  it("keeps a refusal as the API's one line, and goes no further", async () => {
    const errors: (string | undefined)[] = [];
    const results: unknown[] = [];
    const refused = new ApiError(
      409,
      { code: 'CONFLICT', message: 'not a dead letter', requestId: 'r-1' },
      { method: 'POST', path: '/webhooks/deliveries/d/redeliver' },
    );
    await actionRunner((e) => errors.push(e))(Promise.reject(refused), (r) => results.push(r));
    expect(errors).toEqual(['not a dead letter (CONFLICT, HTTP 409, request r-1)']);
    expect(results).toEqual([]);
  });

  it('describes any other failure by its message, and needs nothing to go on with', async () => {
    const errors: (string | undefined)[] = [];
    await actionRunner((e) => errors.push(e))(Promise.reject(new Error('network down')));
    await actionRunner((e) => errors.push(e))(Promise.resolve('ok'));
    expect(errors).toEqual(['network down', undefined]);
  });
});
