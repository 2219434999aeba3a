import { type Actor, Approvals, type RequestOf, Tools } from '@switchboard/contracts';
import { decodeJson, encodeJson } from '@switchboard/messaging';
import { approvalArgsHash } from '@switchboard/runtime';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  deleteRedisKeys,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
  startService,
  type TestDatabase,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import type { Subscription } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import {
  auditRecords,
  ensureStreams,
  failure,
  startStub,
  type StubServer,
  writeToolsFile,
} from './support.js';

type VerifyRequest = RequestOf<typeof Approvals.ApprovalVerify>;

/**
 * The orchestrator's side of approvals, played by the test: it answers ApprovalVerify (subscribed as
 * the orchestrator) for the approvals it was told were decided, exactly as the real one must — the
 * same task, target and arguments hash — and FORBIDDEN for anything else.
 */
class FakeOrchestrator {
  readonly asked: VerifyRequest[] = [];
  private readonly approved = new Map<string, VerifyRequest & { decidedBy: string }>();
  private sub: Subscription | undefined;

  constructor(private readonly client: BusClient) {}

  start(): Promise<void> {
    this.sub = this.client.bus.connection.subscribe(Approvals.ApprovalVerify.subject, {
      callback: (err, msg) => {
        if (err) return;
        const { data } = decodeJson(msg.data) as { data: VerifyRequest };
        this.asked.push(data);
        const decided = this.approved.get(data.approvalId);
        const matches =
          decided &&
          decided.taskId === data.taskId &&
          decided.target === data.target &&
          decided.argsHash === data.argsHash;
        msg.respond(
          encodeJson(
            matches
              ? { response: { approvalId: data.approvalId, decidedBy: decided.decidedBy } }
              : {
                  err: { code: 'FORBIDDEN', message: 'not approved', retryable: false },
                  isDisposed: true,
                },
          ),
        );
      },
    });
    return this.client.bus.flush();
  }

  stop(): Promise<void> {
    this.sub?.unsubscribe();
    return this.client.bus.flush();
  }

  approve(decision: VerifyRequest & { decidedBy: string }): void {
    this.approved.set(decision.approvalId, decision);
  }
}

const TOOLS_FILE = (payUrl: string) => `
tools:
  - name: shop.pay
    description: Pays an amount (not idempotent).
    provider: shop
    inputSchema: { type: object, properties: { amount: { type: number } }, required: [amount] }
    handler: { kind: http_endpoint, url: "${payUrl}", method: POST }
    approval: { approvers: { requester: false, roles: [finance] }, allowSelf: false }
approvals:
  notes.add: {}
`;

const REQUESTER = Approvals.ApprovalPolicy.parse({});
const FINANCE = Approvals.ApprovalPolicy.parse({
  approvers: { requester: false, roles: ['finance'] },
  allowSelf: false,
});
const redisPrefix = testRedisPrefix('tools-approvals');
const run = randomUUID().slice(0, 8);
const alice: Actor = { userId: `alice-${run}`, role: 'user' };
const root: Actor = { userId: `root-${run}`, role: 'admin' };

// Tools that need a person's approval, on the real mcp-tools process: refused without one, run once
// under one the orchestrator confirms, and admins' overrides stored in PostgreSQL and served in manifests.
describe('approvals (real process, NATS, PostgreSQL, Redis; the orchestrator played by the test)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let service: ServiceHandle;
  let gateway: BusClient;
  let orchestratorClient: BusClient;
  let orchestrator: FakeOrchestrator;
  let shop: StubServer;

  beforeAll(async () => {
    shop = await startStub(() => ({ status: 200, body: { paid: true } }));
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_approvals', 'mcp-tools');
    gateway = await createBusClient(nats.url, 'gateway');
    orchestratorClient = await createBusClient(nats.url, 'orchestrator');
    await ensureStreams(gateway);
    orchestrator = new FakeOrchestrator(orchestratorClient);
    await orchestrator.start();
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      TOOLS_FILE: writeToolsFile('tools.yaml', TOOLS_FILE(`${shop.url}/pay`)),
    });
  });

  afterAll(async () => {
    await orchestrator?.stop();
    await orchestratorClient?.close();
    await gateway?.close();
    await service?.stop();
    await shop?.close();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  const manifest = (actor: Actor, taskId?: string) =>
    gateway.bus.request(Tools.ToolsManifest, taskId ? { taskId } : {}, { actor });
  const call = (actor: Actor, tool: string, extra: Partial<Tools.ToolCallRequest> = {}) =>
    orchestratorClient.bus.request(Tools.ToolsCall, { tool, input: {}, ...extra }, { actor });
  /** A task that was offered its tools (a call of a task may use only what its manifest offered). */
  const newTask = async () => {
    const taskId = randomUUID();
    await manifest(alice, taskId);
    return taskId;
  };
  const pay = (amount: number) => ({ amount });
  const payments = () => shop.requests.filter((r) => r.url === '/pay').length;

  it("offers each tool with its effective policy: the tool's own, the approvals section's (a built-in), none", async () => {
    const tools = (await manifest(alice)).tools;
    const approvals = Object.fromEntries(tools.map((t) => [t.name, t.approval]));
    expect(approvals['shop.pay']).toEqual(FINANCE);
    expect(approvals['notes.add']).toEqual(REQUESTER);
    expect(tools.find((t) => t.name === 'time.now')).not.toHaveProperty('approval');
  });

  it('refuses a call outside a task: it can be approved only inside one', async () => {
    const refused = await failure(call(alice, 'shop.pay', { input: pay(10) }));
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toContain("needs a person's approval");
    expect(refused.message).toContain('POST /orchestrate');
    expect(payments()).toBe(0);
  });

  it('refuses a call without an approval, or whose arguments differ from the approved ones; audited as denied', async () => {
    const taskId = await newTask();
    const missing = await failure(call(alice, 'shop.pay', { taskId, input: pay(10) }));
    expect(missing).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'approval-missing' } });
    const approvalId = randomUUID();
    const other = await failure(
      call(alice, 'shop.pay', {
        taskId,
        input: pay(1_000_000),
        approval: { id: approvalId, argsHash: approvalArgsHash('shop.pay', pay(10)) },
      }),
    );
    expect(other).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'approval-mismatch' } });
    expect(orchestrator.asked.filter((a) => a.taskId === taskId)).toEqual([]);
    expect(payments()).toBe(0);
    const denied = await waitFor(async () => {
      const records = (await auditRecords(gateway)).filter(
        (r) => r.action === 'tool.call' && r.outcome === 'denied' && r.taskId === taskId,
      );
      return records.length === 2 ? records : undefined;
    });
    expect(denied.map((r) => r.details)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tool: 'shop.pay', taskId, reason: 'approval-missing' }),
        expect.objectContaining({ tool: 'shop.pay', taskId, reason: 'approval-mismatch' }),
      ]),
    );
    expect(JSON.stringify(denied)).not.toContain('1000000');
  });

  it('runs a confirmed call once, asking the orchestrator on every attempt (a repeated key too)', async () => {
    const taskId = await newTask();
    const approvalId = randomUUID();
    const argsHash = approvalArgsHash('shop.pay', pay(25));
    orchestrator.approve({ approvalId, taskId, target: 'shop.pay', argsHash, decidedBy: 'bob' });
    const key = `task-${taskId}:pay`;
    const request = {
      taskId,
      input: pay(25),
      idempotencyKey: key,
      approval: { id: approvalId, argsHash },
    };
    const before = payments();
    await expect(call(alice, 'shop.pay', request)).resolves.toMatchObject({
      output: { paid: true },
      replayed: false,
    });
    await expect(call(alice, 'shop.pay', request)).resolves.toMatchObject({ replayed: true });
    expect(payments()).toBe(before + 1);
    expect(orchestrator.asked.filter((a) => a.approvalId === approvalId)).toEqual([
      { approvalId, taskId, target: 'shop.pay', argsHash },
      { approvalId, taskId, target: 'shop.pay', argsHash },
    ]);
    const success = await waitFor(async () =>
      (await auditRecords(gateway)).find(
        (r) => r.action === 'tool.call' && r.outcome === 'success' && r.taskId === taskId,
      ),
    );
    expect(success.details).toMatchObject({ approvalId, approvedBy: 'bob' });
  });

  it('a call the orchestrator does not confirm leaves nothing under its key: once approved, the same key runs', async () => {
    const taskId = await newTask();
    const approvalId = randomUUID();
    const argsHash = approvalArgsHash('shop.pay', pay(7));
    const request = {
      taskId,
      input: pay(7),
      idempotencyKey: `task-${taskId}:pay`,
      approval: { id: approvalId, argsHash },
    };
    const before = payments();
    const refused = await failure(call(alice, 'shop.pay', request));
    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'approval-not-confirmed' },
    });
    expect(payments()).toBe(before);
    const stored = await db.query('SELECT 1 FROM "ToolCall" WHERE "idempotencyKey" = $1', [
      request.idempotencyKey,
    ]);
    expect(stored).toEqual([]);
    orchestrator.approve({ approvalId, taskId, target: 'shop.pay', argsHash, decidedBy: 'carol' });
    await expect(call(alice, 'shop.pay', request)).resolves.toMatchObject({ replayed: false });
    expect(payments()).toBe(before + 1);
  });

  it('does not run the call while the orchestrator cannot be asked (retryable UPSTREAM_UNAVAILABLE)', async () => {
    const taskId = await newTask();
    const approvalId = randomUUID();
    const argsHash = approvalArgsHash('shop.pay', pay(3));
    orchestrator.approve({ approvalId, taskId, target: 'shop.pay', argsHash, decidedBy: 'bob' });
    const before = payments();
    await orchestrator.stop();
    try {
      const e = await failure(
        call(alice, 'shop.pay', { taskId, input: pay(3), approval: { id: approvalId, argsHash } }),
      );
      expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
      expect(payments()).toBe(before);
    } finally {
      await orchestrator.start();
    }
  });

  it("an admin's override is stored, listed, served in the next manifest and enforced; removing it restores the definition's", async () => {
    // Cached first, so the override must invalidate it.
    expect((await manifest(alice)).tools.find((t) => t.name === 'time.now')).not.toHaveProperty(
      'approval',
    );
    const set = (actor: Actor, tool: string, policy: Approvals.ApprovalPolicyInput | null) =>
      gateway.bus.request(Tools.ApprovalPolicySet, { tool, policy }, { actor });
    await expect(failure(set(alice, 'time.now', {}))).resolves.toMatchObject({ code: 'FORBIDDEN' });
    await expect(failure(set(root, 'no.such.tool', {}))).resolves.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('no.such.tool') as unknown,
    });
    await expect(set(root, 'time.now', { expiresInMs: 60_000 })).resolves.toMatchObject({
      tool: 'time.now',
      source: 'override',
      setBy: root.userId,
      policy: { expiresInMs: 60_000 },
    });
    const overridden = await manifest(alice);
    expect(overridden.cached).toBe(false);
    expect(overridden.tools.find((t) => t.name === 'time.now')?.approval).toMatchObject({
      expiresInMs: 60_000,
    });
    const { policies } = await gateway.bus.request(Tools.ApprovalPolicyList, {}, { actor: root });
    expect(policies.map((p) => [p.tool, p.source])).toEqual([
      ['notes.add', 'definition'],
      ['shop.pay', 'definition'],
      ['time.now', 'override'],
    ]);
    const rows = await db.query('SELECT tool, "setBy" FROM "ApprovalPolicyOverride"');
    expect(rows).toEqual([{ tool: 'time.now', setBy: root.userId }]);

    const taskId = await newTask();
    await expect(failure(call(alice, 'time.now', { taskId }))).resolves.toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'approval-missing' },
    });

    await expect(set(root, 'time.now', null)).resolves.toEqual({
      tool: 'time.now',
      policy: null,
      source: 'none',
    });
    expect((await manifest(alice)).tools.find((t) => t.name === 'time.now')).not.toHaveProperty(
      'approval',
    );
    await expect(call(alice, 'time.now', { taskId })).resolves.toMatchObject({
      output: expect.objectContaining({ timezone: 'UTC' }) as unknown,
    });
    const audited = await waitFor(async () => {
      const actions = (await auditRecords(gateway))
        .filter((r) => r.category === 'admin' && r.resource === 'time.now')
        .map((r) => `${r.action} ${r.outcome}`);
      return actions.length === 3 ? actions : undefined;
    });
    expect(audited.sort()).toEqual([
      'tools.approval-policy.remove success',
      'tools.approval-policy.set denied',
      'tools.approval-policy.set success',
    ]);
  });
});
