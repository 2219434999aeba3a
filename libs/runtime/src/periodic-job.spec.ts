import { describe, expect, it } from '@jest/globals';
import { drainBatches, PeriodicJob } from './periodic-job.js';

describe(PeriodicJob.name, () => {
  it('never runs twice at once: a run asked for while one is in progress is that run', async () => {
    let release: () => void = () => undefined;
    let runs = 0;
    const job = new PeriodicJob(
      60_000,
      () => {
        runs++;
        return new Promise<void>((r) => (release = r));
      },
      () => undefined,
    );
    const first = job.runOnce();
    const second = job.runOnce();
    expect(second).toBe(first);
    release();
    await first;
    expect(runs).toBe(1);
    const third = job.runOnce();
    release();
    await third;
    expect(runs).toBe(2);
  });

  it('hands a failed run to onError and runs again next time', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const job = new PeriodicJob(
      60_000,
      async () => {
        if (fail) throw new Error('database away');
      },
      (e) => errors.push(e),
    );
    await job.runOnce();
    expect(errors).toEqual([new Error('database away')]);
    fail = false;
    await job.runOnce();
    expect(errors).toHaveLength(1);
  });

  it('stop waits for the run in progress', async () => {
    let release: () => void = () => undefined;
    let done = false;
    const job = new PeriodicJob(
      60_000,
      () => new Promise<void>((r) => (release = r)).then(() => void (done = true)),
      () => undefined,
    );
    job.start();
    const run = job.runOnce();
    const stopped = job.stop();
    release();
    await stopped;
    expect(done).toBe(true);
    await run;
  });
});

describe(`${PeriodicJob.name}.kick`, () => {
  /** A job whose runs wait to be released one by one; `runs` counts the runs started. */
  const gated = () => {
    const releases: (() => void)[] = [];
    const state = { runs: 0 };
    const job = new PeriodicJob(
      60_000,
      () => {
        state.runs++;
        return new Promise<void>((r) => releases.push(r));
      },
      () => undefined,
    );
    /** Ends the oldest run still going; settles once its promise chain (and any follow-up's start) ran. */
    const finish = async () => {
      releases.shift()?.();
      await new Promise<void>((r) => setImmediate(r)); // every queued microtask first, no time passing
    };
    return { job, state, finish };
  };

  it('runs at once when idle, and once more after a run that kicks came during (never two at once)', async () => {
    const { job, state, finish } = gated();
    job.kick();
    expect(state.runs).toBe(1);
    job.kick();
    job.kick();
    expect(state.runs).toBe(1); // not a second run at once
    await finish();
    expect(state.runs).toBe(2); // the kicks' one run, after the first
    await finish();
    expect(state.runs).toBe(2); // no kick during the second: nothing more
  });

  it('a run the timer or a test asks for during a run is that run: no follow-up without a kick', async () => {
    const { job, state, finish } = gated();
    const first = job.runOnce();
    expect(job.runOnce()).toBe(first);
    await finish();
    expect(state.runs).toBe(1);
  });

  it('does nothing once stopped, and a kick pending at stop runs no follow-up', async () => {
    const { job, state, finish } = gated();
    job.kick();
    job.kick(); // a follow-up asked for
    const stopped = job.stop();
    await finish();
    await stopped;
    expect(state.runs).toBe(1);
    job.kick();
    expect(state.runs).toBe(1);
  });
});

describe(drainBatches.name, () => {
  const batches = (sizes: (number | undefined)[]) => {
    const calls: number[] = [];
    return { calls, batch: async () => (calls.push(calls.length), sizes.shift()) };
  };

  it('runs batches until one is short', async () => {
    const { calls, batch } = batches([10, 10, 3, 10]);
    await drainBatches(batch, 10);
    expect(calls).toHaveLength(3);
  });

  it('stops at a batch that says to, at the most batches, and once stopped', async () => {
    const told = batches([10, undefined, 10]);
    await drainBatches(told.batch, 10);
    expect(told.calls).toHaveLength(2);
    const capped = batches([10, 10, 10, 10]);
    await drainBatches(capped.batch, 10, { maxBatches: 2 });
    expect(capped.calls).toHaveLength(2);
    let stopped = false;
    const halted = batches([10, 10, 10]);
    await drainBatches(async () => ((stopped = true), halted.batch()), 10, {
      stopped: () => stopped,
    });
    expect(halted.calls).toHaveLength(1);
  });
});
