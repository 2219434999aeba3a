import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { NatsBus } from '@switchboard/messaging';
import { CancellationRegistry, CancelledBy } from './cancellation.registry.js';

/** A bus whose cancel broadcast the test delivers. */
function setup() {
  let deliver: ((p: { taskId: string; reason: string }) => void) | undefined;
  const bus = {
    subscribe: (_c: unknown, handler: typeof deliver) => {
      deliver = handler;
      return { unsubscribe: () => undefined };
    },
    publish: () => undefined,
  } as unknown as NatsBus;
  const sut = new CancellationRegistry(bus);
  sut.onModuleInit();
  return { sut, cancel: (taskId: string, reason: string) => deliver?.({ taskId, reason }) };
}

describe(CancellationRegistry.name, () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('aborts a task at its deadline with a TimeoutError', () => {
    const { sut } = setup();
    const signal = sut.register('t1', Date.now() + 1_000);
    jest.advanceTimersByTime(999);
    expect(signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('aborts a task its user cancels with CancelledBy, telling the two apart', () => {
    const { sut, cancel } = setup();
    const signal = sut.register('t1', Date.now() + 60_000);
    cancel('t1', 'no longer needed');
    expect(signal.reason).toBeInstanceOf(CancelledBy);
    cancel('t2', 'not here'); // another replica's task: ignored
  });

  it('leaves no timer behind when a task ends before its deadline', () => {
    const { sut } = setup();
    const signals = ['a', 'b', 'c'].map((id) => sut.register(id, Date.now() + 300_000));
    expect(jest.getTimerCount()).toBe(3);
    for (const id of ['a', 'b', 'c']) sut.unregister(id);
    expect(jest.getTimerCount()).toBe(0);
    expect(sut.pendingDeadlines).toBe(0);
    jest.advanceTimersByTime(300_000);
    expect(signals.some((s) => s.aborted)).toBe(false);
  });

  it('hears a cancel that comes between listen (before the claim) and register (after it)', () => {
    const { sut, cancel } = setup();
    expect(sut.listen('t1')).toBe(true);
    // a thread's interrupt: stored on the row the claim made, published before the run registered
    cancel('t1', 'interrupted by task t2');
    const signal = sut.register('t1', Date.now() + 60_000);
    expect(signal.reason).toBeInstanceOf(CancelledBy);
    expect((signal.reason as CancelledBy).reason).toBe('interrupted by task t2');
    // its deadline counts once registered; unregistering leaves nothing behind
    expect(jest.getTimerCount()).toBe(1);
    sut.unregister('t1');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not take over a task already heard here (listen says so)', () => {
    const { sut } = setup();
    const signal = sut.register('t1', Date.now() + 60_000);
    expect(sut.listen('t1')).toBe(false);
    expect(sut.register('t1', Date.now() + 60_000)).toBe(signal);
    expect(jest.getTimerCount()).toBe(1);
  });
});
