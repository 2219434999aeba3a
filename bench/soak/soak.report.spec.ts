import { describe, expect, it } from '@jest/globals';
import type { Probe } from './history.probe.js';
import { flatVerdict, probeTable } from './soak.report.js';

function probe(
  tasksBefore: number,
  p50Ms: number,
  cpu: number,
  rss: Record<string, number>,
): Probe {
  return {
    tasksBefore,
    p50Ms,
    cpuPerTask: new Map([
      ['orchestrator', cpu / 2],
      ['nats-server', cpu / 2],
    ]),
    messagesPerTask: new Map([['sb.task.submit', 1]]),
    stores: {
      pgTransactions: new Map([['sbt_orchestrator_0a1b', 5]]),
      redisRoundTrips: 4,
      redisCommands: new Map([['evalsha', 2]]),
    },
    rssMb: new Map(Object.entries(rss)),
    heapMb: new Map([['orchestrator', 60]]),
    streams: [],
    tables: [],
  };
}

describe('the soak’s verdict on flat with history', () => {
  it('holds when p50, CPU per task and every RSS end within 10 % of the first probe', () => {
    const v = flatVerdict(
      [
        probe(1000, 100, 50, { orchestrator: 300, gateway: 250 }),
        probe(26000, 120, 60, { orchestrator: 340, gateway: 260 }),
        probe(51000, 109, 54.9, { orchestrator: 329, gateway: 275 }),
      ],
      ['orchestrator', 'gateway'],
    );
    expect(v.flat).toBe(true);
    expect(v.lines.at(-1)).toMatch(/^flat with history: .*\(after 1000 tasks\) at 51000$/);
  });

  it('names each figure that grew more than 10 %, one process’s RSS enough to fail', () => {
    const v = flatVerdict(
      [
        probe(1000, 100, 50, { orchestrator: 300, gateway: 250 }),
        probe(51000, 100, 50, { orchestrator: 488, gateway: 250 }),
      ],
      ['orchestrator', 'gateway'],
    );
    expect(v.flat).toBe(false);
    expect(v.lines.filter((l) => l.startsWith('GREW'))).toEqual([
      'GREW  RSS MB orchestrator: 300.0 -> 488.0 (1.63×)',
    ]);
    expect(v.lines.at(-1)).toMatch(/^NOT flat: 1 figure/);
  });

  it('shows, without judging, the memory of processes that are not services (the stored history)', () => {
    const v = flatVerdict(
      [
        probe(1000, 100, 50, { orchestrator: 300, 'nats-server': 58 }),
        probe(51000, 100, 50, { orchestrator: 310, 'nats-server': 378 }),
      ],
      ['orchestrator'],
    );
    expect(v.flat).toBe(true);
    expect(v.lines).toContain(
      'shown RSS MB nats-server: 58.0 -> 378.0 (6.52×; not judged: not a service)',
    );
  });

  it('counts a process gone by the end (no memory) as not flat', () => {
    const v = flatVerdict(
      [probe(1000, 100, 50, { orchestrator: 300 }), probe(2000, 100, 50, {})],
      ['orchestrator'],
    );
    expect(v.flat).toBe(false);
    expect(v.lines[2]).toBe('GONE  RSS MB orchestrator: 300.0 -> 0.0 (0.00×)');
  });
});

describe('the soak’s table', () => {
  it('has one column per probe, then end/first and end/previous', () => {
    const table = probeTable([
      probe(1000, 100, 50, { orchestrator: 300 }),
      probe(2000, 110, 50, { orchestrator: 320 }),
      probe(3000, 120, 50, { orchestrator: 330 }),
    ]);
    expect(table[0]?.split(/\s{2,}/).filter(Boolean)).toEqual([
      'after 1000',
      'after 2000',
      'after 3000',
      'end/first',
      'end/previous',
    ]);
    expect(table.find((l) => l.startsWith('p50'))).toMatch(
      /100\.0\s+110\.0\s+120\.0\s+1\.20×\s+1\.09×/,
    );
    expect(table.find((l) => l.startsWith('RSS MB: orchestrator'))).toMatch(
      /300\s+320\s+330\s+1\.10×/,
    );
  });
});
