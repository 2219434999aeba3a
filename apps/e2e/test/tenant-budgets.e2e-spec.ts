import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Schedules, Tasks, Tenancy } from '@switchboard/contracts';
import {
  deleteRedisKeys,
  type LlmStub,
  type LlmStubRequest,
  repoRoot,
  type ServiceHandle,
  type Stack,
  startLlmStub,
  startService,
  startStack,
  testRedisPrefix,
  toolResults,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

/** Someone acting in a tenant (dev auth with TENANCY=true: X-User-Id, X-User-Role, X-Tenant-Id). */
interface Who {
  user: string;
  tenant: string;
  role?: string;
}

// The quotas enforced where their cost is incurred, on real processes with TWO replicas of every
// counting service (gateway: admissions; orchestrator: task slots, tokens; mcp-tools: tool calls;
// a2a: delegations) sharing one Redis prefix, NATS enforcing every service's identity,
// tenancy on (dev auth: X-Tenant-Id), and the orchestrator planning with a scripted OpenAI-compatible
// server. Quotas are set through the gateway's API, as an operator would.
describe('tenant budgets and per-day quotas (two replicas of each counting service, NATS identities, TENANCY=true)', () => {
  let llm: LlmStub;
  let stack: Stack;
  let researcher: ServiceHandle;
  /** The second replica of each counting service, by name. */
  const second: Record<string, ServiceHandle> = {};
  const redisPrefix = testRedisPrefix('budgets');
  const run = randomUUID().slice(0, 6);
  const tenant = (name: string) => `${name}-${run}`;
  const operator: Who = { user: 'op', tenant: 'default', role: 'platform-admin' };
  const mcpClients: McpClient[] = [];

  beforeAll(async () => {
    llm = await startLlmStub();
    researcher = await startService(
      'agent-researcher',
      { NODE_OPTIONS: '--import tsx', AGENT_KIND: 'researcher', AGENT_NAME: 'Researcher' },
      { entry: join(repoRoot, 'examples/a2a-agents/src/main.ts') },
    );
    // Every service counting against a quota uses the gateway's Redis prefix (its default `sb:` in a
    // deployment; this test's own here).
    const shared = { REDIS_KEY_PREFIX: redisPrefix };
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator', 'a2a', 'gateway'],
      natsIdentities: true,
      env: {
        gateway: { ...shared, TENANCY: 'true', RATE_LIMIT_PER_MINUTE: '0' },
        orchestrator: {
          ...shared,
          OPENAI_BASE_URL: llm.baseUrl,
          OPENAI_API_KEY: 'sk-e2e-0123456789',
          LLM_MODEL: 'stub-model',
          // $1,000 per million tokens: a 100-token round costs $0.10 (costPerDayUsd below)
          LLM_PRICES: JSON.stringify({ 'stub-model': { prompt: 1000, completion: 1000 } }),
          // The last test waits for the slot, not for the clock: a firing the quota holds back is
          // tried again at each schedule tick (shipped: every 5 s; here twice a second), a batch's
          // run once it has been without its task REPLAY_BATCH_LOST_AFTER_MS (shipped: 15 s; here
          // 2 s) and then at each sweep (shipped: every second; here five times a second).
          SCHEDULE_TICK_MS: '500',
          REPLAY_BATCH_LOST_AFTER_MS: '2000',
          REPLAY_BATCH_SWEEP_MS: '200',
        },
        'mcp-tools': shared,
        a2a: { ...shared, A2A_AGENTS: `researcher=${researcher.url}` },
      },
    });
    for (const name of ['gateway', 'orchestrator', 'mcp-tools', 'a2a'])
      second[name] = await startService(
        name,
        { ...stack.envOf(name), INSTANCE_ID: `${name}-2` },
        { logDir: stack.logDir },
      );
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(mcpClients.map((c) => c.close()));
    await Promise.allSettled(Object.values(second).map((s) => s.stop()));
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    await researcher?.stop();
    await llm?.stop();
    await deleteRedisKeys(redisPrefix);
    expect(refused).toEqual([]);
  });

  const headers = (who: Who) => ({
    'x-user-id': who.user,
    'x-tenant-id': who.tenant,
    'x-user-role': who.role ?? 'user',
  });
  const call = (who: Who, method: string, path: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: {
        ...headers(who),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const putQuota = async (tenantId: string, quota: Tenancy.TenantQuota) => {
    const r = await call(operator, 'PUT', `/tenants/${tenantId}/quotas`, quota);
    expect(r.status).toBe(200);
  };
  const usage = async (tenantId: string) => {
    const r = await call(operator, 'GET', `/usage?tenant=${tenantId}`);
    expect(r.status).toBe(200);
    return ((await r.json()) as Tenancy.TenantUsage).usage;
  };
  const taskView = async (who: Who, taskId: string) => {
    const r = await call(who, 'GET', `/tasks/${taskId}`);
    expect(r.status).toBe(200);
    return (await r.json()) as Tasks.TaskView;
  };
  /** The task once it has ended. */
  const ended = (who: Who, taskId: string) =>
    waitFor(
      async () => {
        const view = await taskView(who, taskId);
        return ['completed', 'failed', 'cancelled'].includes(view.status) ? view : undefined;
      },
      { what: `task ${taskId} to end`, timeoutMs: 60_000 },
    );
  const submitAsync = async (who: Who, task: string) => {
    const r = await call(who, 'POST', '/orchestrate?async=true', { task });
    expect(r.status).toBe(202);
    return ((await r.json()) as { task_id: string }).task_id;
  };

  it('starts exactly 10 of 64 parallel tasks sent to the two gateways against concurrentTasks=10 (54 × 429 + Retry-After); the ten run on the orchestrators and free their slots', async () => {
    const t = tenant('burst');
    await putQuota(t, { concurrentTasks: 10 });
    const gate = llm.gate();
    const task = `burst ${run}: held by the model`;
    const held = { content: 'done', usage: { prompt: 10, completion: 2 }, hold: gate };
    const script = llm.script(
      task,
      Array.from({ length: 10 }, () => held),
    );
    const gateways = [stack.gatewayUrl, second['gateway']!.url];
    const results = await Promise.all(
      Array.from({ length: 64 }, async (_, i) => {
        const r = await fetch(`${gateways[i % 2]}/orchestrate?async=true`, {
          method: 'POST',
          headers: { ...headers({ user: `u${i}`, tenant: t }), 'content-type': 'application/json' },
          body: JSON.stringify({ task }),
        });
        return {
          status: r.status,
          retryAfter: r.headers.get('retry-after'),
          body: (await r.json()) as { task_id?: string; code?: string },
        };
      }),
    );
    const admitted = results.filter((r) => r.status === 202);
    expect(admitted).toHaveLength(10);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(54);
    for (const r of refused) {
      expect(r.retryAfter).toBe('5');
      expect(r.body).toMatchObject({
        code: 'RATE_LIMITED',
        details: { quota: 'concurrentTasks', scope: 'tenant', tenantId: t, limit: 10, used: 10 },
      });
    }
    // The ten started: each reached the model, through one orchestrator replica or the other.
    await waitFor(() => (script.requests.length === 10 ? true : undefined), {
      what: 'the ten admitted tasks at the model',
    });
    expect((await usage(t)).runningTasks).toBe(10);
    gate.release();
    const views = await Promise.all(admitted.map((r) => ended(operator, r.body.task_id!)));
    expect(views.map((v) => v.status)).toEqual(Array(10).fill('completed'));
    expect(script.requests).toHaveLength(10);
    expect((await usage(t)).runningTasks).toBe(0);
  });

  it('frees the concurrentTasks slot of every ended task (completed, failed, cancelled) with two orchestrator replicas: eight tasks in a row against concurrentTasks=2', async () => {
    const t = tenant('slots');
    const ada: Who = { user: 'ada', tenant: t };
    await putQuota(t, { concurrentTasks: 2 });
    const answered = `slot check ${run}: answered`;
    llm.script(
      answered,
      Array.from({ length: 6 }, () => ({ content: 'done', usage: { prompt: 10, completion: 2 } })),
    );
    for (let i = 0; i < 6; i++) {
      const r = await call(ada, 'POST', '/orchestrate', { task: answered });
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ status: 'completed' });
    }
    // A task whose model refuses it fails...
    const refused = `slot check ${run}: refused`;
    llm.script(refused, [{ status: 400, message: 'this request is not valid' }]);
    expect((await call(ada, 'POST', '/orchestrate', { task: refused })).status).toBeGreaterThan(
      399,
    );
    // ...and one cancelled while the model thinks is cancelled: each frees its slot too.
    const gate = llm.gate();
    const cancelled = `slot check ${run}: cancelled`;
    llm.script(cancelled, [{ content: 'too late', hold: gate }]);
    const taskId = await submitAsync(ada, cancelled);
    await gate.reached;
    expect((await call(ada, 'POST', `/tasks/${taskId}/cancel`, {})).status).toBeLessThan(300);
    gate.release();
    expect((await ended(ada, taskId)).status).toBe('cancelled');
    expect(await usage(t)).toMatchObject({ runningTasks: 0, tasksLastMinute: 8 });
    // Both slots are free: two at once are admitted.
    const twice = `slot check ${run}: two at once`;
    const done = { content: 'done', usage: { prompt: 10, completion: 2 } };
    llm.script(twice, [done, done]);
    const both = await Promise.all([1, 2].map(() => submitAsync(ada, twice)));
    expect((await Promise.all(both.map((id) => ended(ada, id)))).map((v) => v.status)).toEqual([
      'completed',
      'completed',
    ]);
  });

  it('keeps the slot of a task waiting for an approval, and frees it when the approved task ends', async () => {
    const t = tenant('waits');
    const ada: Who = { user: 'ada', tenant: t };
    await putQuota(t, { concurrentTasks: 1 });
    const task = `approval slot ${run}: note it`;
    llm.script(task, [
      { toolCalls: [{ name: 'notes__add', arguments: { content: 'kept' } }] },
      { content: 'noted' },
    ]);
    const submitted = await call(ada, 'POST', '/orchestrate', {
      task,
      approval: { tools: ['notes.add'] },
    });
    expect(submitted.status).toBe(202);
    const { task_id: taskId } = (await submitted.json()) as { task_id: string };
    const [pending] = await waitFor(
      async () => {
        const r = await call(ada, 'GET', `/tasks/${taskId}/approvals`);
        const { approvals } = (await r.json()) as { approvals: { approvalId: string }[] };
        return approvals.length === 1 ? approvals : undefined;
      },
      { what: 'the approval the task waits for' },
    );
    // While a person decides (within the lease), the task holds the tenant's only slot.
    expect((await usage(t)).runningTasks).toBe(1);
    const meanwhile = await call(ada, 'POST', '/orchestrate?async=true', { task: 'meanwhile' });
    expect(meanwhile.status).toBe(429);
    const decided = await call(ada, 'POST', `/tasks/${taskId}/approvals/${pending!.approvalId}`, {
      decision: 'approve',
    });
    expect(decided.status).toBeLessThan(300);
    expect((await ended(ada, taskId)).status).toBe('completed');
    expect((await usage(t)).runningTasks).toBe(0);
  });

  it('stops a task mid-run with BUDGET_EXCEEDED naming tokensPerDay, refuses the tenant’s next task before the model is asked, and lets another tenant run', async () => {
    const t = tenant('tokens');
    const ada: Who = { user: 'ada', tenant: t };
    // One round costs 120 tokens: the first fits, the second goes past 150.
    await putQuota(t, { tokensPerDay: 150 });
    const task = `token budget ${run}: what is 6 * 7, then add 0`;
    const script = llm.script(task, [
      {
        toolCalls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }],
        usage: { prompt: 100, completion: 20 },
      },
      {
        toolCalls: [{ name: 'calculator', arguments: { expression: '42 + 0' } }],
        usage: { prompt: 100, completion: 20 },
      },
    ]);
    const r = await call(ada, 'POST', '/orchestrate', { task });
    expect(r.status).toBe(422);
    const failure = (await r.json()) as {
      code: string;
      message: string;
      details: Record<string, unknown>;
    };
    expect(failure).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      message: expect.stringMatching(/^quota tokensPerDay of tenant .* reached: 240 used of 150/),
      details: {
        quota: 'tokensPerDay',
        scope: 'tenant',
        tenantId: t,
        limit: 150,
        used: 240,
        status: 'failed',
      },
    });
    expect(script.remaining).toBe(0);
    const taskId = String(failure.details['task_id']);
    // Mid-run: the first round's step ran, the second round's did not.
    const view = await taskView(ada, taskId);
    expect(view).toMatchObject({
      status: 'failed',
      error: { code: 'BUDGET_EXCEEDED', details: { quota: 'tokensPerDay' } },
      usage: { totalTokens: 240 },
    });
    expect(view.steps.map((s) => s.status)).toEqual(['completed']);
    // In the audit trail, as the tenant's admin sees it.
    const boss: Who = { user: 'boss', tenant: t, role: 'admin' };
    const audited = await waitFor(
      async () => {
        const a = await call(boss, 'GET', `/audit?task_id=${taskId}&action=task.failed`);
        if (a.status !== 200) return undefined;
        const { entries } = (await a.json()) as {
          entries: { details?: Record<string, unknown> }[];
        };
        return entries[0];
      },
      { what: 'the task.failed audit record', timeoutMs: 20_000 },
    );
    expect(audited.details).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      quota: { quota: 'tokensPerDay', limit: 150, used: 240 },
    });
    expect((await usage(t)).tokens).toBe(240);

    // The tenant's next task (whichever orchestrator takes it) never reaches the model.
    const asked = llm.requests.length;
    const next = await call({ user: 'bob', tenant: t }, 'POST', '/orchestrate', {
      task: `second task of ${t}`,
    });
    expect(next.status).toBe(422);
    expect(await next.json()).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      details: { quota: 'tokensPerDay', used: 240 },
    });
    expect(llm.requests.length).toBe(asked);

    // Another tenant plans as usual meanwhile.
    const other = `token budget ${run}: another tenant`;
    llm.script(other, [{ content: '42', usage: { prompt: 100, completion: 20 } }]);
    const fine = await call({ user: 'ada', tenant: tenant('other') }, 'POST', '/orchestrate', {
      task: other,
    });
    expect(fine.status).toBe(200);
    expect(await fine.json()).toMatchObject({ status: 'completed', result: '42' });
  });

  it('stops a task mid-run with BUDGET_EXCEEDED naming costPerDayUsd once its priced rounds reach the limit', async () => {
    const t = tenant('cost');
    const ada: Who = { user: 'ada', tenant: t };
    // Each round costs $0.10: the first fits in $0.15, the second goes past it.
    await putQuota(t, { costPerDayUsd: 0.15 });
    const task = `cost budget ${run}: what is 6 * 7, then add 0`;
    const script = llm.script(task, [
      {
        toolCalls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }],
        usage: { prompt: 80, completion: 20 },
      },
      {
        toolCalls: [{ name: 'calculator', arguments: { expression: '42 + 0' } }],
        usage: { prompt: 80, completion: 20 },
      },
    ]);
    const r = await call(ada, 'POST', '/orchestrate', { task });
    expect(r.status).toBe(422);
    const failure = (await r.json()) as { code: string; details: Record<string, unknown> };
    expect(failure).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      details: { quota: 'costPerDayUsd', scope: 'tenant', tenantId: t, limit: 0.15 },
    });
    expect(failure.details['used']).toBeCloseTo(0.2, 6);
    expect(script.remaining).toBe(0);
    const view = await taskView(ada, String(failure.details['task_id']));
    expect(view.steps.map((s) => s.status)).toEqual(['completed']);
    expect((await usage(t)).costUsd).toBeCloseTo(0.2, 6);
  });

  it('runs exactly toolCallsPerDay of many parallel MCP tool calls across the two mcp-tools replicas', async () => {
    const t = tenant('tools');
    await putQuota(t, { toolCallsPerDay: 5 });
    const transport = new StreamableHTTPClientTransport(new URL(`${stack.gatewayUrl}/mcp`), {
      requestInit: { headers: headers({ user: 'ada', tenant: t }) },
    });
    const client = new McpClient({ name: 'e2e-budgets', version: '1.0.0' });
    await client.connect(transport);
    mcpClients.push(client);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        client.callTool({ name: 'calculator', arguments: { expression: `${i} + 1` } }),
      ),
    );
    expect(results.filter((r) => !r.isError)).toHaveLength(5);
    const refused = results.filter((r) => r.isError);
    expect(refused).toHaveLength(19);
    for (const r of refused)
      expect(JSON.stringify(r.content)).toMatch(/RATE_LIMITED: quota toolCallsPerDay of tenant/);
    expect((await usage(t)).toolCalls).toBe(5);
    // Both replicas answered calls (NATS spreads them over the queue group).
    const served = await Promise.all(
      [stack.services['mcp-tools']!, second['mcp-tools']!].map(async (s) => {
        const metrics = await (await fetch(`${s.url}/metrics`)).text();
        return [
          ...metrics.matchAll(/^sb_tool_calls_total\{tool="calculator"[^}]*\} (\d+)/gm),
        ].reduce((n, m) => n + Number(m[1]), 0);
      }),
    );
    expect(served.every((n) => n > 0)).toBe(true);
  });

  it('delegates exactly delegationsPerDay times from many parallel tasks across the two a2a replicas; the rest are refused naming the quota', async () => {
    const t = tenant('delegations');
    const ada: Who = { user: 'ada', tenant: t };
    await putQuota(t, { delegationsPerDay: 3 });
    const before = ((await (await fetch(`${researcher.url}/stats`)).json()) as { executed: number })
      .executed;
    const task = `delegation quota ${run}: ask the researcher`;
    // Round 1 delegates; round 2 answers with what the delegation step came back with.
    const reply = (req: LlmStubRequest) =>
      toolResults(req).length
        ? {
            content: JSON.stringify(toolResults(req).at(-1)?.content),
            usage: { prompt: 20, completion: 5 },
          }
        : {
            toolCalls: [{ name: 'delegate__researcher', arguments: { message: 'NATS JetStream' } }],
            usage: { prompt: 20, completion: 5 },
          };
    const TASKS = 8;
    llm.script(
      task,
      Array.from({ length: 2 * TASKS }, () => reply),
    );
    const ids = await Promise.all(Array.from({ length: TASKS }, () => submitAsync(ada, task)));
    const views = await Promise.all(ids.map((id) => ended(ada, id)));
    const steps = views.map((v) => v.steps[0]);
    expect(steps.filter((s) => s?.status === 'completed')).toHaveLength(3);
    const refused = steps.filter((s) => s?.status === 'failed');
    expect(refused).toHaveLength(TASKS - 3);
    for (const s of refused)
      expect(s?.error).toMatchObject({
        code: 'RATE_LIMITED',
        message: expect.stringContaining('quota delegationsPerDay of tenant'),
      });
    const after = ((await (await fetch(`${researcher.url}/stats`)).json()) as { executed: number })
      .executed;
    expect(after - before).toBe(3);
    expect((await usage(t)).delegations).toBe(3);
  });

  it("holds a schedule's firing and a replay batch's run, which do not pass the gateway, to the tenant's concurrentTasks: they wait for the slot, then run", async () => {
    const t = tenant('own');
    const ada: Who = { user: 'ada', tenant: t };
    const done = { content: 'done', usage: { prompt: 10, completion: 2 } };
    // A finished task to replay (a guardrail what-if: nothing is called again).
    const original = `own submissions ${run}: original`;
    llm.script(original, [done]);
    const first = await call(ada, 'POST', '/orchestrate', { task: original });
    expect(first.status).toBe(200);
    const { task_id: originalId } = (await first.json()) as { task_id: string };
    await putQuota(t, { concurrentTasks: 1 });
    // A task the model holds takes the tenant's only slot.
    const gate = llm.gate();
    const holder = `own submissions ${run}: holds the slot`;
    llm.script(holder, [{ ...done, hold: gate }]);
    const holderId = await submitAsync(ada, holder);
    await gate.reached;

    const batchRes = await call(ada, 'POST', '/replays', {
      taskIds: [originalId],
      changes: { guardrails: { disallowedKeywords: [`never-said-${run}`] } },
    });
    expect(batchRes.status).toBe(202);
    const { batchId } = (await batchRes.json()) as Tasks.ReplayBatchView;
    const scheduled = `own submissions ${run}: scheduled`;
    llm.script(scheduled, [done]);
    const at = new Date(Date.now() + 2_000).toISOString();
    const scheduleRes = await call(ada, 'POST', '/schedules', { task: scheduled, at });
    expect(scheduleRes.status).toBe(201);
    const { scheduleId } = (await scheduleRes.json()) as Schedules.ScheduleView;

    // Both are refused by the quota where the orchestrator submits them, and wait.
    const orchestrators = [stack.services['orchestrator']!, second['orchestrator']!];
    const logged = (what: string, id: string) =>
      orchestrators.some((o) =>
        o
          .logs()
          .split('\n')
          .some((l) => l.includes(what) && l.includes(id)),
      );
    await waitFor(
      () =>
        logged("replay batch run waits for its tenant's quota", batchId) &&
        logged("scheduled task waits for its tenant's quota", scheduleId)
          ? true
          : undefined,
      { what: 'the batch run and the firing waiting for the quota', timeoutMs: 40_000 },
    );
    expect((await usage(t)).runningTasks).toBe(1);
    const firings = async () => {
      const r = await call(ada, 'GET', `/schedules/${scheduleId}/firings`);
      return ((await r.json()) as { firings: Schedules.ScheduleFiringView[] }).firings;
    };
    const [waiting] = await firings();
    expect(waiting).toMatchObject({ status: 'submitted' });
    expect(waiting?.publishedAt).toBeUndefined();
    const batchNow = await call(ada, 'GET', `/replays/${batchId}`);
    expect(((await batchNow.json()) as Tasks.ReplayBatchView).totals.done).toBe(0);

    // The slot frees: each runs in turn, never two at once.
    gate.release();
    expect((await ended(ada, holderId)).status).toBe('completed');
    const batch = await waitFor(
      async () => {
        const view = (await (
          await call(ada, 'GET', `/replays/${batchId}`)
        ).json()) as Tasks.ReplayBatchView;
        return view.status === 'completed' ? view : undefined;
      },
      { what: 'the batch to complete', timeoutMs: 60_000 },
    );
    expect(batch.totals).toMatchObject({ tasks: 1, done: 1 });
    const [fired] = await waitFor(
      async () => {
        const f = await firings();
        return f[0]?.publishedAt ? f : undefined;
      },
      { what: 'the firing to be submitted', timeoutMs: 60_000 },
    );
    expect((await ended(ada, fired!.taskId!)).status).toBe('completed');
    // every slot freed at the end of its task
    expect((await usage(t)).runningTasks).toBe(0);
  }, 150_000);
});
