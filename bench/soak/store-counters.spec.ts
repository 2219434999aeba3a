import { describe, expect, it } from '@jest/globals';
import { countMonitor } from './store-counters.js';

// MONITOR lines as Redis prints them: seconds.microseconds [db client] "COMMAND" "arg"...
const line = (us: number, client: string, ...args: string[]) =>
  `1700000000.${String(us).padStart(6, '0')} [0 ${client}] ${args.map((a) => `"${a}"`).join(' ')}`;
const A = '127.0.0.1:50001';
const B = '127.0.0.1:50002';
const OTHER = '127.0.0.1:50003';

describe('countMonitor: Redis round trips and commands a stack made', () => {
  it('counts commands far apart as round trips, a pipeline written at once as one', () => {
    const { roundTrips, commands } = countMonitor(
      [
        line(1_000, A, 'GET', 'sb:a'),
        line(2_000, A, 'SET', 'sb:a', '1'),
        // a pipeline: three commands within microseconds
        line(5_000, A, 'INCR', 'sb:b'),
        line(5_010, A, 'EXPIRE', 'sb:b', '60'),
        line(5_020, A, 'GET', 'sb:c'),
      ],
      'sb:',
    );
    expect(roundTrips).toBe(3);
    expect(commands.get('get')).toBe(2);
    expect(commands.get('incr')).toBe(1);
  });

  it('counts a MULTI…EXEC as one round trip however long it takes to arrive', () => {
    const { roundTrips } = countMonitor(
      [
        line(1_000, A, 'MULTI'),
        line(1_500, A, 'DEL', 'sb:k'),
        line(2_000, A, 'SADD', 'sb:s', 'x'),
        line(2_500, A, 'EXEC'),
        line(9_000, A, 'GET', 'sb:k'),
      ],
      'sb:',
    );
    expect(roundTrips).toBe(2);
  });

  it('counts a script once, its inner calls as commands of their own, not as round trips', () => {
    const { roundTrips, commands } = countMonitor(
      [
        line(1_000, B, 'EVALSHA', 'abc', '1', 'sb:q'),
        line(1_001, 'lua', 'INCR', 'sb:q'),
        line(1_002, 'lua', 'EXPIRE', 'sb:q', '5'),
      ],
      'sb:',
    );
    expect(roundTrips).toBe(1);
    expect(commands.get('evalsha')).toBe(1);
    expect(commands.get('incr (in a script)')).toBe(1);
  });

  it('leaves out clients that never touch the stack’s keys (a shared Redis)', () => {
    const { roundTrips, commands } = countMonitor(
      [
        line(1_000, OTHER, 'GET', 'sbt:x:a'),
        line(3_000, OTHER, 'PING'),
        line(5_000, A, 'GET', 'sb:a'),
      ],
      'sb:',
    );
    expect(roundTrips).toBe(1);
    expect([...commands.keys()]).toEqual(['get']);
  });
});
