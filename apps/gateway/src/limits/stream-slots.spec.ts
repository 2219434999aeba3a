import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError } from '@switchboard/contracts';
import type { Logger, Metrics } from '@switchboard/observability';
import type { OptionalRedis } from '@switchboard/runtime';
import { Registry } from 'prom-client';
import type { GatewayEnv } from '../config/gateway.env.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { StreamSlots } from './stream-slots.js';

type Command = [name: string, ...args: (string | number)[]];

/**
 * Redis as StreamSlots sees it: pipelines only. Each exec is recorded; admissions are answered by
 * `admit` (ids → 1/0 per id), or the whole pipeline fails when `down`. `available` is what the client
 * knows of its connection (false while it is not connected).
 */
class FakeRedis {
  readonly execs: Command[][] = [];
  down = false;
  available = true;
  admit: (ids: string[]) => number[] = (ids) => ids.map(() => 1);
  readonly defined: string[] = [];
  /** While set, a pipeline is answered only once it settles (a slow link). */
  answering: Promise<void> | undefined;

  defineCommand(name: string, def: { numberOfKeys: number; lua: string }) {
    this.defined.push(`${name}/${def.numberOfKeys}`);
  }

  pipeline() {
    const commands: Command[] = [];
    const pipeline = {
      get length() {
        return commands.length;
      },
      zrem: (key: string, ...ids: string[]) => (commands.push(['zrem', key, ...ids]), pipeline),
      zadd: (key: string, ...args: (string | number)[]) => (
        commands.push(['zadd', key, ...args]),
        pipeline
      ),
      pexpire: (key: string, ms: number) => (commands.push(['pexpire', key, ms]), pipeline),
      // The acquire script, defined on the client (EVALSHA): key, now, expiry, lease, cap, ids…
      sbStreamAcquire: (key: string, ...args: (string | number)[]) => (
        commands.push(['eval', key, ...args]),
        pipeline
      ),
      exec: async () => {
        this.execs.push(commands);
        await this.answering;
        if (this.down) throw new Error('Connection is closed.');
        return commands.map(([name, , ...args]) =>
          name === 'eval' ? [null, this.admit(args.slice(4).map(String))] : [null, 1],
        );
      },
    };
    return pipeline;
  }
}

const config = { MAX_STREAMS_PER_USER: 2, STREAM_LEASE_MS: 60_000 } as GatewayEnv;
const ada: Actor = { userId: 'ada', role: 'user' };
const bob: Actor = { userId: 'bob', role: 'user' };

const setup = () => {
  const redis = new FakeRedis();
  const warnings: string[] = [];
  const logger = {
    warn: (_o: unknown, msg: string) => warnings.push(`warn: ${msg}`),
    debug: (_o: unknown, msg: string) => warnings.push(`debug: ${msg}`),
  } as unknown as Logger;
  const metrics = new GatewayMetrics({ registry: new Registry() } as unknown as Metrics);
  const sut = new StreamSlots(redis as unknown as OptionalRedis, config, metrics, logger);
  const open = async () => (await metrics.openStreams.get()).values;
  return { sut, redis, warnings, open };
};

const settled = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe(StreamSlots.name, () => {
  it('asks Redis once for the slots taken together: one script call per user, answered in order', async () => {
    const { sut, redis, open } = setup();
    redis.admit = (ids) => ids.map((_, i) => (i < 2 ? 1 : 0)); // the cap of 2
    const results = await Promise.all([
      settled(sut.acquire(ada, 'named')),
      settled(sut.acquire(ada, 'named')),
      settled(sut.acquire(ada, 'named')),
      settled(sut.acquire(bob, 'agui')),
    ]);
    expect(redis.execs).toHaveLength(1);
    expect(redis.execs[0]!.map(([name, key, ...args]) => [name, key, args.length])).toEqual([
      ['eval', 'streams:ada', 4 + 3],
      ['eval', 'streams:bob', 4 + 1],
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true]);
    const refused = results[2];
    expect(refused?.ok === false && refused.error).toBeInstanceOf(DomainError);
    expect(refused?.ok === false && refused.error).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 'streams' },
    });
    expect(await open()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { kind: 'named' }, value: 2 }),
        expect.objectContaining({ labels: { kind: 'agui' }, value: 1 }),
      ]),
    );
  });

  it('frees the slots released together with one ZREM per user, once each', async () => {
    const { sut, redis, open } = setup();
    const slots = await Promise.all([sut.acquire(ada, 'named'), sut.acquire(ada, 'named')]);
    const admitted = redis.execs[0]!.flatMap(([, , ...args]) => args.slice(4));
    for (const slot of slots) {
      void slot.release();
      void slot.release();
    }
    await sut.acquire(bob, 'named'); // the next batch: the releases go first
    expect(redis.execs).toHaveLength(2);
    expect(redis.execs[1]![0]).toEqual(['zrem', 'streams:ada', ...admitted]);
    expect(redis.execs[1]![1]?.[0]).toBe('eval');
    expect(await open()).toEqual([
      expect.objectContaining({ labels: { kind: 'named' }, value: 1 }),
    ]);
  });

  it('settles a release once Redis has answered its batch, not before (the edge ends its response after it)', async () => {
    const { sut, redis } = setup();
    const slot = await sut.acquire(ada, 'named');
    let answer!: () => void;
    redis.answering = new Promise((r) => (answer = r));
    let free = false;
    const freeing = slot.release();
    void freeing?.then(() => (free = true));
    await new Promise((r) => setImmediate(r)); // the batch is sent...
    expect(redis.execs[1]?.[0]?.[0]).toBe('zrem');
    await Promise.resolve();
    expect(free).toBe(false); // ...and not answered yet
    expect(slot.release()).toBe(freeing); // the first release counts, and is what a second one waits for
    answer();
    await freeing;
    expect(free).toBe(true);
  });

  it("leaves nothing to wait for when a task's end frees the slot named by it (the orchestrator did)", async () => {
    const { sut, redis } = setup();
    const slot = sut.adopt(ada, 'named', 'task-1');
    expect(slot.taskEnded()).toBeUndefined();
    expect(slot.release()).toBeUndefined();
    await new Promise((r) => setImmediate(r));
    expect(redis.execs).toEqual([]);
  });

  it('settles the releases at once while Redis is unreachable (the leases free the slots)', async () => {
    const { sut, redis } = setup();
    const slot = await sut.acquire(ada, 'named');
    redis.available = false;
    await slot.release();
    expect(redis.execs).toHaveLength(1); // the admission only
  });

  it('lets streams through without asking Redis while it is unreachable (its client logs the outage once)', async () => {
    const { sut, redis, warnings } = setup();
    redis.available = false;
    const results = await Promise.all([1, 2, 3].map(() => settled(sut.acquire(ada, 'named'))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(redis.execs).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('lets streams through when Redis fails mid-call, with one debug line for the batch', async () => {
    const { sut, redis, warnings } = setup();
    redis.down = true;
    const results = await Promise.all([1, 2, 3].map(() => settled(sut.acquire(ada, 'named'))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(warnings).toEqual(['debug: stream slots unavailable (Redis); streams let through']);
  });
});
