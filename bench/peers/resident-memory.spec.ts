import { describe, expect, it } from '@jest/globals';
import { PG_SERVER } from './bench-system.js';
import { memoryLines, residentMiB, systemMemory } from './resident-memory.js';

describe('resident memory', () => {
  it('reads VmRSS from /proc/<pid>/status in MiB, and nothing for a process that has gone', () => {
    const status = 'Name:\tnode\nVmPeak:\t 900000 kB\nVmRSS:\t  204800 kB\nThreads:\t11\n';
    expect(residentMiB(7, () => status)).toBe(200);
    expect(
      residentMiB(8, () => {
        throw new Error('ENOENT');
      }),
    ).toBeUndefined();
    // this very process: a real reading
    expect(residentMiB(process.pid)).toBeGreaterThan(10);
  });

  it("sums a system's groups, leaving the shared PostgreSQL server out", () => {
    const rss = new Map([
      [1, 300],
      [2, 40],
      [3, 25],
      [4, 500],
    ]);
    const m = systemMemory(
      'Switchboard (cell)',
      new Map([
        ['the cell (five services)', [1]],
        ['nats-server', [2]],
        ['PostgreSQL backends', [3]],
        [PG_SERVER, [4]],
      ]),
      (pid) => rss.get(pid),
    );
    expect(m.totalMiB).toBe(365);
    expect(m.groups.map((g) => g.group)).not.toContain(PG_SERVER);
    expect(memoryLines([m])[1]).toBe(
      '  Switchboard (cell): 365 MiB (the cell (five services) 300, nats-server 40, PostgreSQL backends 25)',
    );
  });
});
