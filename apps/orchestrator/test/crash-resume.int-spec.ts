import { jetstreamManager } from '@nats-io/jetstream';
import { Audit, AuditStream } from '@switchboard/contracts';
import {
  auditStreamDrained,
  type BusClient,
  connectAs,
  createBusClient,
  type LlmStub,
  type ServiceHandle,
  type Stack,
  startLlmStub,
  startService,
  startStack,
  tempDir,
  toolResults,
  waitFor,
} from '@switchboard/testing';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { eventsNamed, submitTask, terminal } from './task-client.js';

/** A shop API that records every order and holds the answers until the test releases them. */
async function startShop(): Promise<{
  url: string;
  orders: number;
  release(): void;
  close(): Promise<void>;
}> {
  const held: ServerResponse[] = [];
  let released = false;
  const answer = (res: ServerResponse) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ orderId: `order-${shop.orders}` }));
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      shop.orders++;
      if (released) answer(res);
      else held.push(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const shop = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`,
    orders: 0,
    release: () => {
      released = true;
      for (const res of held.splice(0)) answer(res);
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return shop;
}

/** A non-idempotent tool on the shop: a repeat with the same idempotency key must not order twice. */
function shopToolsFile(url: string): string {
  const path = join(tempDir('tools-file'), 'tools.yaml');
  writeFileSync(
    path,
    `tools:
  - name: shop.order
    description: Places an order (not idempotent).
    provider: shop
    inputSchema: { type: object, properties: { item: { type: string } }, required: [item] }
    handler: { kind: http_endpoint, url: "${url}", method: POST }
    timeoutMs: 30000
`,
  );
  return path;
}

// An orchestrator killed (SIGKILL) mid-task: JetStream hands the task to another replica, which resumes
// it from the stored planning rounds and steps, without re-planning or re-running completed work.
describe('crash safety (two orchestrator processes, real mcp-tools, NATS, PostgreSQL; scripted LLM)', () => {
  let llm: LlmStub;
  let stack: Stack;
  let client: BusClient;
  let shop: Awaited<ReturnType<typeof startShop>>;
  const extra: ServiceHandle[] = [];

  beforeAll(async () => {
    llm = await startLlmStub();
    shop = await startShop();
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator'],
      env: {
        orchestrator: {
          OPENAI_BASE_URL: llm.baseUrl,
          LLM_MODEL: 'stub-model',
          LLM_MAX_RETRIES: '0',
          TASK_ACK_WAIT_MS: '2000',
        },
        'mcp-tools': { TOOLS_FILE: shopToolsFile(shop.url) },
      },
    });
    client = await createBusClient(stack.nats.url, 'gateway', stack.natsSettings('gateway'));
  });

  afterAll(async () => {
    await client?.close();
    await Promise.allSettled(extra.map((s) => s.stop()));
    await stack?.stop();
    await shop?.close();
    await llm?.stop();
  });

  /** Starts another orchestrator replica, kills the current one, and makes the new one current. */
  async function replaceReplica(): Promise<string> {
    const first = stack.services['orchestrator']!;
    const instance = `replica-${extra.length + 1}`;
    const second = await startService(
      'orchestrator',
      { ...stack.envOf('orchestrator'), INSTANCE_ID: instance },
      { logDir: stack.logDir },
    );
    extra.push(second);
    await first.kill();
    stack.services['orchestrator'] = second;
    return instance;
  }

  /** Runs `task` on the current replica until the stub holds round 2, kills it, and lets a new one resume. */
  async function crashDuringRound2(
    task: string,
    afterKill: (taskId: string) => Promise<void> = async () => undefined,
  ) {
    const gate = llm.gate();
    const script = llm.script(task, [
      { toolCalls: [{ name: 'notes__add', arguments: { content: `${task} note` } }] },
      { content: 'never delivered', hold: gate },
      { content: 'Saved your note.' },
    ]);
    const submitted = await submitTask(client, { task });
    await gate.reached;
    const instance = await replaceReplica();
    await afterKill(submitted.taskId);
    const events = await submitted.done;
    return { submitted, events, script, instance };
  }

  it('resumes on another replica from the last completed step: the note is saved once, round 1 is not re-planned', async () => {
    const { submitted, events, script, instance } = await crashDuringRound2('CRASH-A: save a note');

    expect(terminal(events)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'Saved your note.', steps: 1 },
    });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const notes = await stack.dbs.tools.query<{ content: string }>(
      'SELECT content FROM "Note" WHERE "userId" = $1',
      [submitted.actor.userId],
    );
    expect(notes).toEqual([{ content: 'CRASH-A: save a note note' }]);
    // Round 1 went to the model once; round 2 twice (the first call died with its replica).
    expect(script.requests.map((r) => toolResults(r).length)).toEqual([0, 1, 1]);
    expect(script.requests[1]!.aborted).toBe(true);
    const replayed = eventsNamed(events, 'orchestrator.planning.completed').filter(
      (e) => e.data.replayed,
    );
    expect(replayed.map((e) => e.data.iteration)).toEqual([1]);
    // Only one notes.add ever reached mcp-tools.
    expect(eventsNamed(events, 'mcp.task.started')).toHaveLength(1);
    expect(await toolCallsAudited(stack, submitted.taskId)).toEqual([{ replayed: false }]);
    await expectRelayedOnly(client, stack, submitted.taskId);
    const log = readFileSync(join(stack.logDir, 'orchestrator.log'), 'utf8');
    expect(log).toMatch(new RegExp(`"instance":"${instance}".*resuming task after redelivery`));
  });

  it('does not repeat a completed non-idempotent tool call whose step was not yet stored (idempotency key)', async () => {
    // The narrowest crash window: the tool ran in mcp-tools but the dying replica never stored the step.
    const { submitted, events } = await crashDuringRound2(
      'CRASH-B: save a note',
      async (taskId) => {
        await stack.dbs.orchestrator.query('DELETE FROM "Step" WHERE "taskId" = $1', [taskId]);
      },
    );

    expect(terminal(events)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'Saved your note.' },
    });
    const notes = await stack.dbs.tools.query('SELECT id FROM "Note" WHERE "userId" = $1', [
      submitted.actor.userId,
    ]);
    expect(notes).toHaveLength(1);
    // The resumed replica asked again with the same key and got the first call's result back: one
    // call, so one audit record (the replay's record has the same id and is stored once). The first
    // record was journaled with the step the dead replica stored, and relayed.
    expect(await toolCallsAudited(stack, submitted.taskId)).toEqual([{ replayed: false }]);
    await expectRelayedOnly(client, stack, submitted.taskId);
    const started = eventsNamed(events, 'mcp.task.started');
    expect(started.map((e) => e.data.stepId)).toEqual(['r1_c1', 'r1_c1']);
    const steps = await stack.dbs.orchestrator.query<{ status: string }>(
      'SELECT status FROM "Step" WHERE "taskId" = $1',
      [submitted.taskId],
    );
    expect(steps).toEqual([{ status: 'completed' }]);
  });

  it('waits for a non-idempotent call still running from the dead replica instead of running it again', async () => {
    // The replica dies while mcp-tools is still running the tool for it; the resumed replica sends the
    // same call again (same idempotency key), which must wait for the first one, not fail or re-run.
    const script = llm.script('CRASH-C', [
      { toolCalls: [{ name: 'shop__order', arguments: { item: 'book' } }] },
      { content: 'Ordered your book.' },
    ]);
    const submitted = await submitTask(client, { task: 'CRASH-C: order a book' });
    await waitFor(() => shop.orders === 1, { what: 'the first call to reach the shop' });
    await replaceReplica();
    await waitFor(
      () =>
        stack.services['mcp-tools']!.logs().includes(
          'waiting for the running call with the same idempotency key',
        ),
      { what: 'the resumed call to wait for the running one', timeoutMs: 30_000 },
    );
    shop.release();
    const events = await submitted.done;

    expect(terminal(events)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'Ordered your book.', steps: 1 },
    });
    expect(shop.orders).toBe(1);
    const completed = eventsNamed(events, 'mcp.task.completed');
    expect(completed.map((e) => e.data.output)).toEqual([{ orderId: 'order-1' }]);
    // The model saw the order once, as completed (round 1 was replayed, not asked again).
    expect(script.requests).toHaveLength(2);
    expect(toolResults(script.requests[1]!).map((r) => r.content)).toEqual([
      expect.objectContaining({ status: 'completed', output: { orderId: 'order-1' } }),
    ]);
    // The first call's record went back in a reply the dead replica never read: the trail holds the
    // call once, as the repeat that brought back its outcome (same record id, from the key).
    expect(await toolCallsAudited(stack, submitted.taskId)).toEqual([{ replayed: true }]);
    await expectRelayedOnly(client, stack, submitted.taskId);
  });
});

/**
 * The task's tool-call records took the journal's way only: journaled with their steps (JournalOutbox,
 * one row per record id, relayed), chained once each, none published to SB_AUDIT, and the whole trail
 * verifies.
 */
async function expectRelayedOnly(client: BusClient, stack: Stack, taskId: string): Promise<void> {
  const journaled = await stack.dbs.orchestrator.query<{ id: string }>(
    `SELECT DISTINCT payload->>'id' AS id FROM "JournalOutbox"
      WHERE "taskId" = $1 AND kind = 'audit' AND payload->>'category' = 'tool'`,
    [taskId],
  );
  const chained = await stack.dbs.audit.query<{ id: string; source: string }>(
    `SELECT "id"::text AS id, source FROM "AuditEntry" WHERE "taskId" = $1 AND category = 'tool'`,
    [taskId],
  );
  expect(chained.length).toBeGreaterThan(0);
  expect(chained.every((r) => r.source === 'mcp-tools')).toBe(true);
  expect(journaled.map((r) => r.id).sort()).toEqual(chained.map((r) => r.id).sort());
  expect(await publishedToSbAudit(stack, `sb.audit.tool.${taskId}.*`)).toBe(0);
  const verified = await client.bus.request(
    Audit.AuditVerify,
    {},
    { actor: { userId: 'root', role: 'platform-admin' } },
  );
  expect(verified).toMatchObject({ ok: true, scope: 'all' });
}

/** How many records SB_AUDIT holds on subjects matching `filter` (read as the audit service). */
async function publishedToSbAudit(stack: Stack, filter: string): Promise<number> {
  const nc = await connectAs({ identity: 'audit', nats: stack.natsSettings('audit') });
  try {
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    const info = await jsm.streams.info(AuditStream.name, { subjects_filter: filter });
    return Object.values(info.state.subjects ?? {}).reduce((n, c) => n + c, 0);
  } finally {
    await nc.close();
  }
}

/**
 * The task's tool.call audit records, read once its own completion record is stored, every record its
 * journal owes is relayed (JournalOutbox rows marked once the audit service answered) and SB_AUDIT is
 * drained: a successful call's record is journaled with its step, a failed one's published before
 * mcp-tools replies, so by then every record of its calls is in.
 */
async function toolCallsAudited(stack: Stack, taskId: string): Promise<{ replayed: boolean }[]> {
  const rows = await waitFor(
    async () => {
      const all = await stack.dbs.audit.query<{ action: string; replayed: boolean | null }>(
        `SELECT action, (details->>'replayed')::boolean AS replayed FROM "AuditEntry" WHERE "taskId" = $1 ORDER BY seq`,
        [taskId],
      );
      const [owed] = await stack.dbs.orchestrator.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "JournalOutbox" WHERE "taskId" = $1 AND "relayedAt" IS NULL`,
        [taskId],
      );
      return all.some((r) => r.action === 'task.completed') &&
        owed?.n === 0 &&
        (await auditStreamDrained(stack))
        ? all
        : undefined;
    },
    { what: "the task's audit trail" },
  );
  return rows.filter((r) => r.action === 'tool.call').map((r) => ({ replayed: !!r.replayed }));
}
