import type { Tasks, Tools } from '@switchboard/contracts';
import {
  DEMO_TASK,
  type PrivateRedis,
  type Stack,
  startPrivateRedis,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

const TASKS = 10;

interface Readiness {
  status: string;
  reason?: string;
  error: Record<string, { status: string; message?: string }>;
}

// Redis is a cache (manifests) and a limiter (rate limits, stream caps) here: stopping it must
// degrade the platform, never fail its tasks. The stack's gateway and mcp-tools use a private
// redis-server the test stops and starts (the machine's Redis is never touched).
describe('a Redis outage (private redis-server stopped and started, real processes)', () => {
  let redis: PrivateRedis;
  let stack: Stack;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator', 'gateway'],
      env: { gateway: { REDIS_URL: redis.url }, 'mcp-tools': { REDIS_URL: redis.url } },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  const readiness = async (service: string) => {
    const r = await fetch(`${stack.services[service]!.url}/readiness`);
    return { status: r.status, body: (await r.json()) as Readiness };
  };
  const tools = async (userId: string) => {
    const r = await fetch(`${stack.gatewayUrl}/tools`, { headers: { 'x-user-id': userId } });
    return { status: r.status, body: (await r.json()) as Tools.Manifest };
  };

  /** Submits the demo task for a user of its own and waits for its end; returns it and the user. */
  async function runDemo(): Promise<{ view: Tasks.TaskView; userId: string }> {
    const userId = `outage-${randomUUID().slice(0, 8)}`;
    const headers = { 'content-type': 'application/json', 'x-user-id': userId };
    const r = await fetch(`${stack.gatewayUrl}/orchestrate?async=true`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ task: DEMO_TASK }),
    });
    expect(r.status).toBe(202);
    const { task_id: taskId } = (await r.json()) as { task_id: string };
    const view = await waitFor(
      async () => {
        const got = await fetch(`${stack.gatewayUrl}/tasks/${taskId}`, { headers });
        if (got.status !== 200) return undefined;
        const body = (await got.json()) as Tasks.TaskView;
        return ['completed', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
      },
      { what: `task ${taskId} to end`, timeoutMs: 60_000 },
    );
    return { view, userId };
  }

  const notesOf = async (userId: string) =>
    (
      await stack.dbs.tools.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM "Note" WHERE "userId" = $1',
        [userId],
      )
    )[0]?.n;

  it('runs every task, answers GET /tools uncached and reports itself not ready (503, a reason, no stack)', async () => {
    expect((await readiness('gateway')).status).toBe(200);
    await redis.stop();

    for (const service of ['gateway', 'mcp-tools']) {
      const down = await waitFor(
        async () => {
          const r = await readiness(service);
          return r.status === 503 ? r.body : undefined;
        },
        { what: `${service} readiness to report Redis down` },
      );
      expect(down).toMatchObject({
        status: 'error',
        reason: expect.stringMatching(/^redis: /),
        error: { redis: { status: 'down', message: expect.any(String) } },
      });
    }

    const runs = await Promise.all(Array.from({ length: TASKS }, () => runDemo()));
    expect(runs.map((r) => r.view.status)).toEqual(Array(TASKS).fill('completed'));
    expect(runs.map((r) => r.view.result)).toEqual(
      Array(TASKS).fill(expect.stringContaining('391')),
    );
    for (const { userId } of runs) expect(await notesOf(userId)).toBe(1);

    const listed = await tools('outage-reader');
    expect(listed.status).toBe(200);
    expect(listed.body.cached).toBe(false);
    expect(listed.body.tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['calculator', 'notes.add']),
    );

    // Redis being away is reported by readiness and once in the log, never as an error with a stack.
    for (const service of ['gateway', 'mcp-tools']) {
      const lines = stack.services[service]!.logs().split('\n');
      expect(lines.filter((l) => l.includes('"level":"error"'))).toEqual([]);
      expect(lines.filter((l) => l.includes('Redis unavailable'))).toHaveLength(1);
    }
  });

  it('uses Redis again once it is back: ready, tasks run, manifests cached', async () => {
    await redis.start();
    for (const service of ['gateway', 'mcp-tools']) {
      await waitFor(async () => ((await readiness(service)).status === 200 ? true : undefined), {
        what: `${service} to be ready again`,
      });
    }
    const { view, userId } = await runDemo();
    expect(view.status).toBe('completed');
    expect(await notesOf(userId)).toBe(1);
    const user = `back-${randomUUID().slice(0, 8)}`;
    expect((await tools(user)).body.cached).toBe(false);
    expect((await tools(user)).body.cached).toBe(true);
    for (const service of ['gateway', 'mcp-tools'])
      expect(stack.services[service]!.logs()).toMatch(/"msg":"Redis is back/);
  });
});
