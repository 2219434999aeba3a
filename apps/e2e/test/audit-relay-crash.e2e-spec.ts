import {
  DEMO_TASK,
  repoRoot,
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  startWebhookReceiver,
  waitFor,
  type WebhookReceiver,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

// Issue 34's "kill between a commit and its relay" on real processes. The task's claim commits its
// submission's audit record (carried in the submission) into JournalOutbox, each tool step its call's
// record (handed back by mcp-tools in the reply) with the step, and the task's end its own with the end
// itself; the relay sends them after. Two ways a replica dies
// owing records: (B) it sent a batch the audit service chained but was killed before marking it; (A)
// the audit service was down, so nothing it sent arrived, and it was killed after. Another replica's
// sweep relays both; the trail holds every record of each task exactly once and verifies. The
// tasks' webhook deliveries are committed with the same statements: their receiver is down until the
// first replica is dead, so the other replica delivers them — every event of each task, each once.

const DEMO_RECORDS = ['task.completed', 'task.submit', 'tool.call', 'tool.call'];
/** What the demo task owes in JournalOutbox: every record of it (submission, two tool calls, end). */
const DEMO_OWED = DEMO_RECORDS;
/** Plain-HTTP receivers on 127.0.0.1, and a retry schedule in seconds (shipped: minutes, hours). */
const WEBHOOK_ENV = {
  WEBHOOK_HTTPS_ONLY: 'false',
  WEBHOOK_ALLOWED_TARGETS: '127.0.0.1',
  WEBHOOK_RETRY_INITIAL_MS: '500',
  WEBHOOK_RETRY_MAX_DELAY_MS: '2000',
  WEBHOOK_SWEEP_MS: '200',
};

describe('the audit records a task owes outlive the orchestrator that committed them (kill -9 before the relay)', () => {
  let stack: Stack;
  let replica: ServiceHandle | undefined;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        // The first replica marks what it relayed only after a minute (it dies before) and never
        // sweeps within the test: what is owed after its death is the other replica's to relay.
        orchestrator: {
          AUDIT_RELAY_MARK_LINGER_MS: '60000',
          AUDIT_RELAY_SWEEP_AFTER_MS: '120000',
          ...WEBHOOK_ENV,
        },
      },
    });
    receiver = await startWebhookReceiver();
    await receiver.down();
  }, 180_000);

  afterAll(async () => {
    await receiver?.close();
    await replica?.stop();
    await stack?.stop();
  });

  const runDemo = async (user: string): Promise<string> => {
    const webhook = { url: `${receiver.url}/hook/${user}`, events: ['*'] };
    const r = await fetch(`${stack.gatewayUrl}/orchestrate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user },
      body: JSON.stringify({ task: DEMO_TASK, webhook }),
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { task_id: string; result: string };
    expect(body.result).toContain('391');
    return body.task_id;
  };
  const recordsOf = (taskId: string) =>
    stack.dbs.audit.query<{ id: string; action: string }>(
      'SELECT "id"::text AS id, action FROM "AuditEntry" WHERE "taskId" = $1 ORDER BY seq',
      [taskId],
    );
  const owed = (taskId: string) =>
    stack.dbs.orchestrator.query<{ action: string; relayed: boolean }>(
      `SELECT payload->>'action' AS action, "relayedAt" IS NOT NULL AS relayed FROM "JournalOutbox"
        WHERE "taskId" = $1 AND kind = 'audit' ORDER BY action`,
      [taskId],
    );
  const journaledEvents = async (taskId: string) =>
    Number(
      (
        await stack.dbs.orchestrator.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM "TaskEvent" WHERE "taskId" = $1',
          [taskId],
        )
      )[0]?.n,
    );
  const unmarked = DEMO_OWED.map((action) => ({ action, relayed: false }));

  it('another replica sweeps them: each record of each task once in the trail, audit verify passes, each webhook delivered once', async () => {
    // B: relayed and chained, not marked.
    const relayedUser = `relay-b-${randomUUID()}`;
    const relayedTask = await runDemo(relayedUser);
    await waitFor(
      async () => (await recordsOf(relayedTask)).some((r) => r.action === 'task.completed'),
      { what: "task B's end relayed to the trail" },
    );
    expect(await owed(relayedTask)).toEqual(unmarked);

    // A: the audit service is down, so the relay cannot deliver; the end is committed all the same.
    await stack.services['audit']!.stop();
    const ownedUser = `relay-a-${randomUUID()}`;
    const ownedTask = await runDemo(ownedUser);
    const orchestrator = stack.services['orchestrator']!;
    await waitFor(() => orchestrator.logs().includes('audit records could not be relayed yet'), {
      what: "the first replica's relay failing",
    });
    expect(await owed(ownedTask)).toEqual(unmarked);

    // The replica that owes both dies without a word; another one stands; the audit service is back.
    await orchestrator.kill();
    replica = await startService(
      'orchestrator-2',
      {
        ...stack.envOf('orchestrator'),
        INSTANCE_ID: 'orchestrator-replica-2',
        AUDIT_RELAY_MARK_LINGER_MS: '1000',
        AUDIT_RELAY_SWEEP_MS: '500',
        AUDIT_RELAY_SWEEP_AFTER_MS: '2000',
        // the sweep's margin counts how long a task's records may be held for its end
        AUDIT_RELAY_HOLD_MS: '500',
      },
      { logDir: stack.logDir, entry: join(repoRoot, 'dist/apps/orchestrator/src/main.js') },
    );
    await stack.restart('audit');
    await receiver.up();

    await waitFor(
      async () => {
        const rows = [...(await owed(ownedTask)), ...(await owed(relayedTask))];
        return rows.length === 2 * DEMO_OWED.length && rows.every((r) => r.relayed);
      },
      { what: "both tasks' owed records relayed and marked by the sweep", timeoutMs: 60_000 },
    );
    expect(replica.logs()).toMatch(/owed audit records relayed by the sweep/);
    for (const taskId of [ownedTask, relayedTask]) {
      const rows = await waitFor(
        async () => {
          const r = await recordsOf(taskId);
          return r.filter((x) => !x.action.startsWith('webhook.')).length >= DEMO_RECORDS.length
            ? r
            : undefined;
        },
        { what: `the records of ${taskId} in the trail` },
      );
      // (the webhook deliveries' own records, `webhook.delivered`, come as they are delivered: below)
      const task = rows.filter((r) => !r.action.startsWith('webhook.'));
      expect(task.map((r) => r.action).sort()).toEqual(DEMO_RECORDS);
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    }
    const verify = await fetch(`${stack.gatewayUrl}/audit/verify`, {
      headers: { 'x-user-id': 'root', 'x-user-role': 'admin' },
    });
    expect(verify.status).toBe(200);
    expect(await verify.json()).toMatchObject({ ok: true });

    // Each event each task journaled reached the receiver once, sent by the replica that outlived
    // the one that committed it (the receiver was down until then).
    for (const [user, taskId] of [
      [relayedUser, relayedTask],
      [ownedUser, ownedTask],
    ] as const) {
      const events = await journaledEvents(taskId);
      const delivered = await waitFor(
        () => {
          const ok = receiver.received.filter(
            (r) => r.path === `/hook/${user}` && r.answered < 300,
          );
          return ok.length >= events ? ok : undefined;
        },
        { what: `the webhooks of ${taskId} delivered by the second replica`, timeoutMs: 60_000 },
      );
      const ids = delivered.map((r) => String(r.headers['webhook-id']));
      expect(new Set(ids).size).toBe(events);
      expect(delivered).toHaveLength(events);
      await waitFor(
        async () =>
          (await recordsOf(taskId)).filter((r) => r.action === 'webhook.delivered').length ===
          events,
        { what: `one webhook.delivered record per delivery of ${taskId}` },
      );
    }
  });
});
