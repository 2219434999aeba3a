import { Tasks } from '@switchboard/contracts';
import {
  type CellService,
  collectSse,
  DEMO_TASK,
  type RunningCell,
  type Stack,
  startCell,
  startStack,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { lockNotes, readUntil } from './support/held-steps.js';

// Cells scale out like replicas (docs/operations.md, "One process: the cell"): two cells on one NATS,
// PostgreSQL and Redis; the one running the demo task is killed (SIGKILL: its gateway, orchestrator,
// mcp-tools and audit go together) between the task's two tool steps, and the other finishes it.

describe('two cells on one NATS: kill -9 of the cell running a task between its steps', () => {
  let stack: Stack;
  const cells: RunningCell[] = [];
  const logDir = tempDir('cells');

  /** A cell of every service but the xmpp-bridge, each with instance ids of its own. */
  const startNamedCell = (name: string, taskLogs: boolean) => {
    const services: CellService[] = ['audit', 'mcp-tools', 'orchestrator', 'a2a', 'gateway'];
    const own = Object.fromEntries(
      services.map((s) => [
        s,
        {
          ...stack.envOf(s),
          INSTANCE_ID: `${name}-${s}`,
          // A dead cell's submission comes back to the other after its ack wait: 2 s, not 30.
          ...(s === 'orchestrator' ? { TASK_ACK_WAIT_MS: '2000' } : {}),
          // Task logs on the first cell only: this test reads none (in production: on in every replica or in none, docs/task-logs.md).
          ...(s === 'audit' && !taskLogs ? { TASK_LOGS_ENABLED: 'false' } : {}),
        },
      ]),
    );
    return startCell({ name, logDir, services: own }).then((cell) => {
      cells.push(cell);
      return cell;
    });
  };

  beforeAll(async () => {
    stack = await startStack({ services: [], natsIdentities: true });
    // One after the other: ten services starting at once only slow each other down.
    await startNamedCell('cell-a', true);
    await startNamedCell('cell-b', false);
  }, 240_000);

  /** The cell whose orchestrator started the task (either may take it off the stream). */
  const runnerOf = (taskId: string) =>
    cells.find((c) =>
      c.process
        .logs()
        .split('\n')
        .some((l) => l.includes('"msg":"task started"') && l.includes(taskId)),
    );

  afterAll(async () => {
    await Promise.allSettled(cells.map((c) => c.process.stop(15_000)));
    await stack?.stop();
  });

  it('the other cell finishes it with one note, the stream resumes there without a gap, and the audit trail verifies', async () => {
    const [a] = cells as [RunningCell, RunningCell];
    const user = `cells-${randomUUID()}`;
    const lock = await lockNotes(stack.dbs.tools.url);
    let released = false;
    try {
      const first = await fetch(`${a.urls.gateway}/orchestrate/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': user },
        body: JSON.stringify({ task: DEMO_TASK }),
      });
      expect(first.status).toBe(200);
      const taskId = first.headers.get('x-task-id')!;
      // Step 1 (the calculator) is done; step 2 (notes.add) is held in mcp-tools.
      let started = 0;
      const head = await readUntil(first, (e) => e.event === 'mcp.task.started' && ++started === 2);

      // The cell running it dies without a word, mid-call; the other is left.
      const runner = runnerOf(taskId);
      expect(runner).toBeDefined();
      const b = cells.find((c) => c !== runner)!;
      await runner!.process.kill();
      await lock.release();
      released = true;

      const resumed = await fetch(`${b.urls.gateway}/tasks/${taskId}/events`, {
        headers: { 'x-user-id': user, 'last-event-id': head.at(-1)!.id! },
      });
      expect(resumed.status).toBe(200);
      const tail = await collectSse(resumed);
      const seqs = [...head, ...tail].map((e) => Number(e.id));
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      const end = Tasks.TaskEvent.parse(JSON.parse(tail.at(-1)!.data));
      expect(end.name).toBe('orchestrator.task.completed');
      expect(end.name === 'orchestrator.task.completed' && end.data.result).toContain('391');
      expect(b.process.logs()).toMatch(
        /"instance":"cell-.-orchestrator".*resuming task after redelivery/,
      );

      const notes = await stack.dbs.tools.query<{ content: string }>(
        'SELECT content FROM "Note" WHERE "userId" = $1',
        [user],
      );
      expect(notes).toEqual([{ content: '391' }]);
      const audit = await waitFor(
        async () => {
          const rows = await stack.dbs.audit.query<{ action: string }>(
            'SELECT action FROM "AuditEntry" WHERE "taskId" = $1',
            [taskId],
          );
          // All four are relayed from the orchestrator's journal: the submission's and the first
          // call's were committed by the killed cell, which held them for the task's end; the cell
          // that resumed the task relays them with its end (docs/architecture.md, "The audit relay"),
          // well within this wait, not a sweep's 15 s later.
          return rows.length >= 4 ? rows : undefined;
        },
        { what: 'the completion of the task in its audit trail' },
      );
      expect(audit.map((r) => r.action).sort()).toEqual(
        ['task.completed', 'task.submit', 'tool.call', 'tool.call'].sort(),
      );
      // relayed by the cell that resumed the task, with its end: no sweep had to catch them up
      expect(b.process.logs()).not.toMatch(/owed audit records relayed by the sweep/);
      const verify = await fetch(`${b.urls.gateway}/audit/verify`, {
        headers: { 'x-user-id': 'root', 'x-user-role': 'admin' },
      });
      expect(verify.status).toBe(200);
      expect(await verify.json()).toMatchObject({ ok: true });
      // Each cell kept its services' NATS identities: the server refused nothing.
      expect(stack.securedNats!.violations()).toEqual([]);
    } finally {
      if (!released) await lock.release();
    }
  });
});
