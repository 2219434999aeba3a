import { Tasks } from '@switchboard/contracts';
import {
  type CellService,
  collectSse,
  DEMO_TASK,
  freePort,
  pidAlive,
  repoRoot,
  type RunningCell,
  spawnManaged,
  type SseEvent,
  type Stack,
  startCell,
  startStack,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import { join } from 'node:path';
import { lockNotes, readUntil } from './support/held-steps.js';

// SB_CELLS=2 (docs/operations.md "Every core: several cells"): one primary and two cells on one set of
// ports, as `npm run up` runs them on a two-core machine — the gateway in the first cell, the other
// services in both, sharing the work like replicas. A cell killed with -9 while it holds tasks is
// started again by the primary, and the tasks end once; SIGTERM stops them all; kill -9 of the primary
// takes its cells with it.

const SERVICES: CellService[] = ['audit', 'mcp-tools', 'orchestrator', 'a2a', 'gateway'];

/** GET on a connection of its own (the cells take a port's connections in turn, not its requests). */
function getFresh(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** The instance that answered a service's /health. */
const healthOf = async (url: string) =>
  (JSON.parse((await getFresh(`${url}/health`)).body) as { instance: string }).instance;

describe('SB_CELLS=2: two cells under one primary, on one set of ports', () => {
  let stack: Stack;
  let cells: RunningCell;
  const ports: Partial<Record<CellService, number>> = {};
  const logDir = tempDir('cells-every-core');
  const own = () =>
    Object.fromEntries(
      SERVICES.map((s) => [
        s,
        {
          ...stack.envOf(s),
          INSTANCE_ID: `${s}-e2e`,
          // A dead cell's tasks come back to a living one after their ack wait: 2 s, not 30.
          ...(s === 'orchestrator' ? { TASK_ACK_WAIT_MS: '2000' } : {}),
        },
      ]),
    );
  const url = (s: CellService) => cells.urls[s] as string;
  const logs = () => cells.process.logs();
  /** The instance of the orchestrator that started `taskId` (the cells' lines share one log). */
  const runnerOf = (taskId: string) =>
    /"instance":"(orchestrator-e2e-c\d)"/.exec(
      logs()
        .split('\n')
        .find((l) => l.includes('"msg":"task started"') && l.includes(taskId)) ?? '',
    )?.[1];

  beforeAll(async () => {
    stack = await startStack({ services: [], natsIdentities: true });
    const taken = new Set<number>();
    for (const s of SERVICES) {
      let port = await freePort();
      while (taken.has(port)) port = await freePort();
      taken.add(port);
      ports[s] = port;
    }
    cells = await startCell({ name: 'cells', logDir, services: own(), ports, cells: 2 });
  }, 240_000);

  afterAll(async () => {
    await cells?.process.stop(30_000);
    await stack?.stop();
  });

  it('runs two cells that both serve: tasks on each, a scrape of a port sees both, the gateway in the first', async () => {
    expect(cells.cellPids).toHaveLength(2);
    expect(cells.cellPids).not.toContain(cells.process.pid);
    for (const pid of cells.cellPids) expect(pidAlive(pid)).toBe(true);
    // Every service where it was asked to listen, whichever cell answers.
    for (const s of SERVICES) expect(url(s)).toBe(`http://127.0.0.1:${ports[s]}`);

    // The orchestrator's port is served by both cells, connection by connection.
    const seen = new Set<string>();
    await waitFor(
      async () => {
        seen.add(await healthOf(url('orchestrator')));
        return seen.size === 2 || undefined;
      },
      { what: "both cells' orchestrators answering on one port" },
    );
    expect([...seen].sort()).toEqual(['orchestrator-e2e-c1', 'orchestrator-e2e-c2']);
    // The gateway runs in the first cell only.
    for (let i = 0; i < 4; i++) expect(await healthOf(url('gateway'))).toBe('gateway-e2e-c1');

    // One scrape of a shared port has both cells' series, each under its own replica's name.
    const metrics = await getFresh(`${url('audit')}/metrics`);
    expect(metrics.status).toBe(200);
    for (const instance of ['audit-e2e-c1', 'audit-e2e-c2'])
      expect(metrics.body).toContain(
        `process_start_time_seconds{service="audit",service_instance_id="${instance}"}`,
      );
    expect(metrics.body.match(/^# TYPE process_start_time_seconds /gm)).toHaveLength(1);

    // Tasks run on both cells' orchestrators (submitted until each has started one).
    const runners = new Set<string>();
    const submitted: { taskId: string; user: string }[] = [];
    await waitFor(
      async () => {
        const user = `cells-${randomUUID()}`;
        const r = await fetch(`${url('gateway')}/orchestrate?async=true`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user-id': user },
          body: JSON.stringify({ task: DEMO_TASK }),
        });
        expect(r.status).toBe(202);
        const { task_id: taskId } = (await r.json()) as { task_id: string };
        submitted.push({ taskId, user });
        const runner = await waitFor(() => runnerOf(taskId), { what: `task ${taskId} started` });
        runners.add(runner);
        return runners.size === 2 || submitted.length >= 16 || undefined;
      },
      { what: 'tasks on both cells', timeoutMs: 120_000 },
    );
    expect([...runners].sort()).toEqual(['orchestrator-e2e-c1', 'orchestrator-e2e-c2']);
    for (const { taskId, user } of submitted)
      await waitFor(
        async () => {
          const r = await fetch(`${url('gateway')}/tasks/${taskId}`, {
            headers: { 'x-user-id': user },
          });
          const body = (await r.json()) as { status: string };
          return body.status === 'completed' || undefined;
        },
        { what: `task ${taskId} completed` },
      );
  });

  it('starts a cell killed with -9 again, and the tasks it held end once, their streams without a gap', async () => {
    const lock = await lockNotes(stack.dbs.tools.url);
    let released = false;
    try {
      // Tasks held between their steps (notes.add waits for the lock) until each cell holds one.
      const held: { taskId: string; user: string; head: SseEvent[]; runner: string }[] = [];
      while (new Set(held.map((t) => t.runner)).size < 2) {
        expect(held.length).toBeLessThan(16);
        const user = `cells-kill-${randomUUID()}`;
        const stream = await fetch(`${url('gateway')}/orchestrate/stream`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user-id': user },
          body: JSON.stringify({ task: DEMO_TASK }),
        });
        expect(stream.status).toBe(200);
        const taskId = stream.headers.get('x-task-id')!;
        let started = 0;
        const head = await readUntil(
          stream,
          (e) => e.event === 'mcp.task.started' && ++started === 2,
        );
        const runner = await waitFor(() => runnerOf(taskId), { what: `task ${taskId} started` });
        held.push({ taskId, user, head, runner });
      }

      // The first cell (the gateway, and an orchestrator holding a task) dies without a word.
      const first = cells.cellPids[0]!;
      process.kill(first, 'SIGKILL');
      await waitFor(() => !pidAlive(first) || undefined, { what: 'the first cell gone' });
      // Released once the cell is gone, not once it is back: the other cell's held call must not
      // outwait its tool timeout (10 s) while a loaded machine restarts the first.
      await lock.release();
      released = true;
      await waitFor(() => logs().includes('"msg":"cell 1 ready again"') || undefined, {
        what: 'the first cell started again by the primary',
        timeoutMs: 90_000,
      });
      expect(logs()).toContain(`cell 1 (pid ${first}) exited (SIGKILL): starting it again`);
      expect(pidAlive(cells.process.pid)).toBe(true);
      expect(pidAlive(cells.cellPids[1]!)).toBe(true);

      // Each stream resumes where it stopped, on the gateway of the new first cell, to the task's end.
      for (const { taskId, user, head } of held) {
        const resumed = await fetch(`${url('gateway')}/tasks/${taskId}/events`, {
          headers: { 'x-user-id': user, 'last-event-id': head.at(-1)!.id! },
        });
        expect(resumed.status).toBe(200);
        const tail = await collectSse(resumed);
        const seqs = [...head, ...tail].map((e) => Number(e.id));
        expect({ taskId, seqs }).toEqual({ taskId, seqs: seqs.map((_, i) => i + 1) });
        const end = Tasks.TaskEvent.parse(JSON.parse(tail.at(-1)!.data));
        expect(end.name).toBe('orchestrator.task.completed');
        const notes = await stack.dbs.tools.query<{ content: string }>(
          'SELECT content FROM "Note" WHERE "userId" = $1',
          [user],
        );
        expect({ taskId, notes }).toEqual({ taskId, notes: [{ content: '391' }] });
      }
      // The tasks the dead cell held were taken over after their ack wait.
      expect(logs()).toMatch(/"instance":"orchestrator-e2e-c\d".*resuming task after redelivery/);
      const verify = await fetch(`${url('gateway')}/audit/verify`, {
        headers: { 'x-user-id': 'root', 'x-user-role': 'admin' },
      });
      expect(verify.status).toBe(200);
      expect(await verify.json()).toMatchObject({ ok: true });
      expect(stack.securedNats!.violations()).toEqual([]);
    } finally {
      if (!released) await lock.release();
    }
  });

  it('stops every cell on SIGTERM and exits 0; killed with -9, the primary takes its cells with it', async () => {
    const running = [...logs().matchAll(/"msg":"cell (\d) starting \(pid (\d+)\)"/g)].map((m) =>
      Number(m[2]),
    );
    const alive = running.filter(pidAlive);
    expect(alive).toHaveLength(2);
    process.kill(cells.process.pid, 'SIGTERM');
    expect(await cells.process.exited).toBe(0);
    for (const pid of alive) expect({ pid, alive: pidAlive(pid) }).toEqual({ pid, alive: false });
    expect(logs()).toContain('"msg":"cells stopped"');

    // Again, then the primary dies without a word: its cells end with it.
    cells = await startCell({ name: 'cells', logDir, services: own(), ports, cells: 2 });
    const orphans = cells.cellPids;
    expect(orphans).toHaveLength(2);
    await cells.process.kill();
    await waitFor(() => orphans.every((pid) => !pidAlive(pid)) || undefined, {
      what: 'the cells gone with their primary',
    });
    for (const s of SERVICES)
      await expect(getFresh(`${url(s)}/health`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it.each([
    [{ SB_CELLS: '0' }, 'SB_CELLS: auto, or a whole number from 1 to 64 (got "0")'],
    [
      { SB_CELLS: '2', SB_SERVICES: 'audit', AUDIT__PORT: '0' },
      'audit: PORT 0 gives each cell a port of its own; several cells share one: give AUDIT__PORT a number',
    ],
  ])('refuses %j before anything starts, saying why', async (env, why) => {
    const bad = spawnManaged(process.execPath, [join(repoRoot, 'dist/apps/cell/src/main.js')], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      cwd: repoRoot,
      name: 'cells-bad',
      logDir,
    });
    expect(await bad.exited).toBe(1);
    await bad.settled;
    expect(bad.logs()).toContain(why);
    expect(bad.logs()).not.toContain('cell 1 starting');
  });
});
