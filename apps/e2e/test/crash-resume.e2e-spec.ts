import { Tasks } from '@switchboard/contracts';
import {
  collectSse,
  DEMO_TASK,
  repoRoot,
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockNotes, readUntil } from './support/held-steps.js';

// Issue 34's crash case on real processes: the demo task's orchestrator is killed (SIGKILL) between
// its two tool steps; another replica finishes it, the client resumes on another gateway with
// Last-Event-ID, and the stores say the task happened once.

describe('the demo task outlives its orchestrator (kill -9 between its two tool steps)', () => {
  let stack: Stack;
  let secondGateway: ServiceHandle;
  let secondOrchestrator: ServiceHandle | undefined;

  beforeAll(async () => {
    stack = await startStack({
      // A dead replica's submission comes back to another after its ack wait: 2 s, not the shipped 30.
      env: { orchestrator: { TASK_ACK_WAIT_MS: '2000' } },
    });
    const env = { ...stack.envOf('gateway') };
    delete env['PORT'];
    secondGateway = await startService('gateway', env, {
      logDir: tempDir('stack-logs-gateway-2'),
    });
  }, 180_000);

  afterAll(async () => {
    await secondOrchestrator?.stop();
    await secondGateway?.stop();
    await stack?.stop();
  });

  it('another replica finishes it with one note; a Last-Event-ID resume on another gateway gets every event once, in order; the audit trail verifies', async () => {
    const user = `crash-${randomUUID()}`;
    const lock = await lockNotes(stack.dbs.tools.url);
    let released = false;
    try {
      const first = await fetch(`${stack.gatewayUrl}/orchestrate/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': user },
        body: JSON.stringify({ task: DEMO_TASK }),
      });
      expect(first.status).toBe(200);
      const taskId = first.headers.get('x-task-id')!;
      // Step 1 (the calculator) is done and stored; step 2 (notes.add) is held in mcp-tools.
      let started = 0;
      const head = await readUntil(first, (e) => e.event === 'mcp.task.started' && ++started === 2);
      expect(head.filter((e) => e.event === 'orchestrator.step.completed')).toHaveLength(1);

      // The replica running the task dies without a word while step 2 is held (at once: not after a
      // replica's start-up, which a busy machine can stretch past the held call's own timeout), the
      // held call then completes in mcp-tools, and another replica comes up and takes the task.
      await stack.services['orchestrator']!.kill();
      await lock.release();
      released = true;
      secondOrchestrator = await startService(
        'orchestrator-2',
        { ...stack.envOf('orchestrator'), INSTANCE_ID: 'orchestrator-replica-2' },
        { logDir: stack.logDir, entry: join(repoRoot, 'dist/apps/orchestrator/src/main.js') },
      );

      const lastId = head.at(-1)!.id!;
      const resumed = await fetch(`${secondGateway.url}/tasks/${taskId}/events`, {
        headers: { 'x-user-id': user, 'last-event-id': lastId },
      });
      expect(resumed.status).toBe(200);
      const tail = await collectSse(resumed);

      // Every event once, in order: the head and the resumed tail are 1..N without a gap or a repeat.
      const seqs = [...head, ...tail].map((e) => Number(e.id));
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      const events = [...head, ...tail].map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
      const end = events.at(-1)!;
      expect(end.name).toBe('orchestrator.task.completed');
      expect(end.name === 'orchestrator.task.completed' && end.data.result).toContain('391');
      // The whole stream read again from the start, from the other gateway, is the same events.
      const whole = await collectSse(
        await fetch(`${secondGateway.url}/tasks/${taskId}/events`, {
          headers: { 'x-user-id': user },
        }),
      );
      expect(whole.map((e) => [e.id, e.event])).toEqual(
        [...head, ...tail].map((e) => [e.id, e.event]),
      );

      // It was the standing-by replica that took the task over and finished it.
      const log = readFileSync(join(stack.logDir, 'orchestrator-2.log'), 'utf8');
      expect(log).toMatch(/"instance":"orchestrator-replica-2".*resuming task after redelivery/);

      // One note, written once, though the call was sent by two replicas.
      const notes = await stack.dbs.tools.query<{ content: string }>(
        'SELECT content FROM "Note" WHERE "userId" = $1',
        [user],
      );
      expect(notes).toEqual([{ content: '391' }]);

      // The audit trail: the task's records each once, and the chain verifies.
      const audit = await waitFor(
        async () => {
          const rows = await stack.dbs.audit.query<{ action: string; resource: string }>(
            'SELECT action, resource FROM "AuditEntry" WHERE "taskId" = $1 ORDER BY seq',
            [taskId],
          );
          // (the end's record is relayed from the journal, the others consumed from SB_AUDIT: in
          // no set order between the two)
          return rows.length >= 4 ? rows : undefined;
        },
        { what: 'the completion of the task in its audit trail' },
      );
      expect(audit.map((r) => `${r.action} ${r.resource}`).sort()).toEqual(
        [
          `task.submit ${taskId}`,
          'tool.call calculator',
          'tool.call notes.add',
          `task.completed ${taskId}`,
        ].sort(),
      );
      const verify = await fetch(`${stack.gatewayUrl}/audit/verify`, {
        headers: { 'x-user-id': 'root', 'x-user-role': 'admin' },
      });
      expect(verify.status).toBe(200);
      expect(await verify.json()).toMatchObject({ ok: true });
    } finally {
      if (!released) await lock.release();
    }
  });
});
