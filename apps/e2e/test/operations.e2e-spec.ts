import { Tasks } from '@switchboard/contracts';
import { repoRoot, spawnManaged, type Stack, startStack, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

// Acceptance scenarios 6 (an operator tails a task) and 7 (the audit service stopped under load).
describe('operating the platform (real processes)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { audit: { AUDIT_ACK_WAIT_MS: '3000' } } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const run = async (task: string, user: string): Promise<{ task_id: string; status: string }> => {
    const r = await fetch(`${stack.gatewayUrl}/orchestrate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user },
      body: JSON.stringify({ task }),
    });
    return (await r.json()) as { task_id: string; status: string };
  };

  it('loses and doubles no audit record while the audit service is down under load', async () => {
    const user = `load-${randomUUID().slice(0, 8)}`;
    await stack.services['audit']!.stop();
    // Tasks keep working without the audit service: their records wait in JetStream.
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => run(`what is ${i} * 3`, user)),
    );
    expect(results.every((r) => r.status === 'completed')).toBe(true);
    const rowsWhileDown = await stack.dbs.audit.query(
      `SELECT 1 FROM "AuditEntry" WHERE "userId" = $1`,
      [user],
    );
    expect(rowsWhileDown).toEqual([]);

    await stack.restart('audit');
    const expected = results.length * 3; // task.submit, tool.call, task.completed per task
    await waitFor(
      async () => {
        const [row] = await stack.dbs.audit.query<{ n: string }>(
          `SELECT count(*) AS n FROM "AuditEntry" WHERE "userId" = $1`,
          [user],
        );
        return Number(row?.n) >= expected;
      },
      { what: 'every audit record stored', timeoutMs: 60_000 },
    );
    const perTask = await stack.dbs.audit.query<{ taskId: string; actions: string[] }>(
      `SELECT "taskId", array_agg(action ORDER BY action) AS actions FROM "AuditEntry" WHERE "userId" = $1 GROUP BY "taskId"`,
      [user],
    );
    expect(perTask).toHaveLength(results.length);
    for (const t of perTask)
      expect(t.actions).toEqual(['task.completed', 'task.submit', 'tool.call']);
    const dupes = await stack.dbs.audit.query(
      `SELECT id FROM "AuditEntry" GROUP BY id HAVING count(*) > 1`,
    );
    expect(dupes).toEqual([]);
  });

  it("lets an operator tail one user's task live, in order", async () => {
    const user = `tail-${randomUUID().slice(0, 8)}`;
    const tail = spawnManaged(
      process.execPath,
      [
        join(repoRoot, 'node_modules/tsx/dist/cli.mjs'),
        '--tsconfig',
        'tsconfig.base.json',
        'tools/tail.ts',
        '--user',
        user,
        '--json',
        '--nats',
        stack.nats.url,
      ],
      { name: 'tail', cwd: repoRoot },
    );
    try {
      await waitFor(() => tail.logs().includes('tailing sb.>'), { what: 'tail to subscribe' });
      const { task_id: taskId } = await run('what is 6 * 7, then save the result as a note', user);
      const lines = await waitFor(
        () => {
          const events = tail
            .logs()
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map(
              (l) => JSON.parse(l) as { subject: string; data: { name?: string; seq?: number } },
            );
          return events.some((e) => e.data.name === 'orchestrator.task.completed')
            ? events
            : undefined;
        },
        { what: 'the task in the tail' },
      );
      const taskEvents = lines.filter((l) => l.subject.startsWith(`sb.evt.task.${taskId}.`));
      expect(taskEvents.map((e) => e.data.seq)).toEqual(taskEvents.map((_, i) => i + 1));
      expect(taskEvents[0]?.data.name).toBe(Tasks.TaskEventName.TaskStarted);
      expect(lines.some((l) => l.subject === 'sb.cmd.tools.call')).toBe(true);
      expect(lines.some((l) => l.subject === 'sb.task.submit')).toBe(true);
    } finally {
      await tail.stop();
    }
  });
});
