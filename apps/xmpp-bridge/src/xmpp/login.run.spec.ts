import { jest } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { LoginStepError } from './login.errors.js';
import { LoginRun } from './login.run.js';
import type { BridgeClient } from './bridge.client.js';

// The clock the run reads (performance.now) is driven apart from the timers, to play a timer that
// fires before its delay has passed on that clock, as libuv's whole milliseconds let it.
describe('LoginRun.wait: the deadline', () => {
  let clock = 0;
  beforeEach(() => {
    clock = 0;
    jest.useFakeTimers({ doNotFake: ['performance'] });
    jest.spyOn(performance, 'now').mockImplementation(() => clock);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  const never = new Promise<never>(() => undefined);
  const run = (timeoutMs: number) =>
    new LoginRun(new EventEmitter() as unknown as BridgeClient, timeoutMs, {});

  it('is not reported before it passed, when the timer comes early', async () => {
    const r = run(2_000);
    r.enter('stream');
    let failure: unknown;
    void r.wait(never).catch((e: unknown) => (failure = e));
    clock = 1_999; // the timer fires while the clock says the deadline is a millisecond away
    await jest.advanceTimersByTimeAsync(2_000);
    expect(failure).toBeUndefined();
    clock = 2_000;
    await jest.advanceTimersByTimeAsync(1);
    expect(failure).toBeInstanceOf(LoginStepError);
    expect((failure as LoginStepError).detail).toEqual({ type: 'timeout', ms: 2_000 });
    expect(r.elapsedMs).toBeGreaterThanOrEqual(2_000);
  });

  it('a wait with a tighter limit of its own reports that limit, once it passed', async () => {
    const r = run(10_000);
    r.enter('connect');
    let failure: unknown;
    void r.wait(never, 500).catch((e: unknown) => (failure = e));
    clock = 499;
    await jest.advanceTimersByTimeAsync(500);
    expect(failure).toBeUndefined();
    clock = 500;
    await jest.advanceTimersByTimeAsync(1);
    expect((failure as LoginStepError).detail).toEqual({ type: 'timeout', ms: 500 });
  });

  it('resolves with what it waited for before the deadline', async () => {
    const r = run(2_000);
    await expect(r.wait(Promise.resolve('features'))).resolves.toBe('features');
  });
});
