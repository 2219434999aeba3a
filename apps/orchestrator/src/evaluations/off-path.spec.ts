import { describe, expect, it } from '@jest/globals';
import { OffPath } from './off-path.js';

describe(OffPath.name, () => {
  it('does not hold its caller, reports a failure instead of throwing it, and can be waited for', async () => {
    const failures: unknown[] = [];
    const work = new OffPath((e) => failures.push(e));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const done: string[] = [];
    work.start(async () => {
      await gate;
      done.push('slow');
    });
    work.start(async () => {
      throw new Error('boom');
    });
    expect(done).toEqual([]); // start returned before the work ended
    release();
    await work.settled();
    expect(done).toEqual(['slow']);
    expect(failures.map((e) => (e as Error).message)).toEqual(['boom']);
  });
});
