import { DEMO_TASK } from '@switchboard/testing';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BenchSystem } from './bench-system.js';
import { runInterleaved, runPhase } from './load.client.js';
import { servePeer, sseFrame } from './peer-http.js';

// The load client against real HTTP servers standing in for the systems (the peers' own edge).
describe('the load client', () => {
  const arrivals: string[] = [];
  const servers: Server[] = [];
  const systems: BenchSystem[] = [];

  beforeAll(async () => {
    for (const name of ['A', 'B', 'C']) {
      const server = await servePeer({
        host: '127.0.0.1',
        port: 0,
        run: ({ task, userId, write }) => {
          arrivals.push(`${name}:${task === DEMO_TASK ? 'demo' : task}:${userId}`);
          write(sseFrame(name === 'C' ? 'error' : 'done', { answer: `${name} ok` }));
          return Promise.resolve();
        },
      });
      servers.push(server);
      systems.push({
        name,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        databaseUrls: [],
        processes: () => new Map(),
        answerOf: (events) => {
          const last = events.at(-1);
          return last?.event === 'done'
            ? (JSON.parse(last.data) as { answer: string }).answer
            : undefined;
        },
        readBack: () => Promise.reject(new Error('not used')),
        stop: () => Promise.resolve(),
      });
    }
  });

  afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));
  beforeEach(() => (arrivals.length = 0));

  it('takes the systems in turn, one task at a time, the order rotating every turn', async () => {
    const [a, b] = systems as [BenchSystem, BenchSystem];
    const results = await runInterleaved([a, b], 2);
    expect(arrivals.map((x) => x.split(':')[0])).toEqual(['A', 'B', 'B', 'A']);
    for (const system of [a, b]) {
      const result = results.get(system)!;
      expect(result.latencies).toHaveLength(2);
      expect(result.failures).toEqual([]);
      expect(result.records.map((r) => r.answer)).toEqual([
        `${system.name} ok`,
        `${system.name} ok`,
      ]);
    }
  });

  it('sends the demo task, each from its own user, and keeps the task id the server gave', async () => {
    const result = await runPhase(systems[0]!, 6, 3);
    expect(result.records).toHaveLength(6);
    expect(arrivals.every((x) => x.startsWith('A:demo:'))).toBe(true);
    expect(new Set(arrivals.map((x) => x.split(':')[2])).size).toBe(6);
    expect(new Set(result.records.map((r) => r.user))).toEqual(
      new Set(arrivals.map((x) => x.split(':')[2])),
    );
    expect(result.records.every((r) => /^[0-9a-f-]{36}$/.test(r.taskId))).toBe(true);
  });

  it('counts a task whose stream shows no success as failed, with what the stream ended on', async () => {
    const result = await runPhase(systems[2]!, 2, 1);
    expect(result.records).toEqual([]);
    expect(result.failures).toEqual([
      expect.stringMatching(/no success in the stream \(last event: \{"answer":"C ok"\}\)/),
      expect.any(String),
    ]);
  });
});
