import { A2a, type Actor, DomainError, Tasks, Tools, Webhooks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { ServerResponse } from 'node:http';
import type { GatewayEnv } from '../config/gateway.env.js';
import type { CancelTaskUseCase } from '../tasks/cancel-task/cancel-task.use-case.js';
import type { TaskAccess } from '../tasks/task-access.js';
import { A2aEndpoint } from './a2a-endpoint.service.js';
import type { PlatformAgentExecutor } from './platform-agent.executor.js';
import { PlatformAgentQueries } from './platform-agent.queries.js';

// ListTasks, push notification configs and the extended card over the endpoint's JSON-RPC (1.0 and
// 0.3), the platform behind them faked at NATS: what is asked of it, and how its answers and
// refusals reach the caller.

const config = {
  AUTH_MODE: 'dev',
  EXPOSE_OPENAPI: false,
  RESULT_TIMEOUT_MS: 60_000,
  SSE_MAX_BUFFER_BYTES: 1_000_000,
} as GatewayEnv;
const logger = { warn: () => undefined, error: () => undefined } as unknown as Logger;
const actor: Actor = { userId: 'u1', role: 'user', tenantId: 'acme' };
const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';
const CURSOR = `2026-11-26T08:00:00.000Z_${TASK}`;

type Answers = Record<string, (payload: Record<string, unknown>) => unknown>;

function endpoint(answers: Answers = {}) {
  const asked: { subject: string; payload: Record<string, unknown> }[] = [];
  const bus = {
    request: (contract: { subject: string }, payload: Record<string, unknown>) => {
      asked.push({ subject: contract.subject, payload });
      const answer = answers[contract.subject];
      if (!answer) return Promise.reject(new Error(`unexpected ${contract.subject}`));
      try {
        return Promise.resolve(answer(payload));
      } catch (e) {
        return Promise.reject(e as Error);
      }
    },
  } as unknown as NatsBus;
  const sut = new A2aEndpoint(
    { execute: () => undefined, cancelTask: () => undefined } as unknown as PlatformAgentExecutor,
    {} as TaskAccess,
    {} as CancelTaskUseCase,
    new PlatformAgentQueries(bus),
    config,
    logger,
  );
  const rpc = async (method: string, params: unknown, version?: string) => {
    let body = '';
    const res = {
      writeHead: () => res,
      end: (chunk?: string) => (body += chunk ?? ''),
    };
    await sut.handle({
      body: { jsonrpc: '2.0', id: 7, method, params },
      headers: version ? { 'a2a-version': version } : {},
      actor,
      res: res as unknown as ServerResponse,
    });
    return JSON.parse(body) as {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON, read by assertions
      result?: Record<string, any>;
      error?: { code: number; message: string };
    };
  };
  return { rpc, asked };
}

const summary = (over: Partial<Tasks.TaskSummary> = {}): Tasks.TaskSummary => ({
  taskId: TASK,
  userId: 'u1',
  tenantId: 'acme',
  status: 'waiting_approval',
  task: 'add a note',
  threadId: 'ctx-1',
  steps: 1,
  lastEventSeq: 4,
  createdAt: '2026-11-26T08:00:00.000Z',
  updatedAt: '2026-11-26T08:00:02.000Z',
  ...over,
});

describe('ListTasks', () => {
  it("reads the caller's tenant's task list, filters and page mapped, and answers A2A tasks", async () => {
    const { rpc, asked } = endpoint({
      [Tasks.TaskList.subject]: () => ({ tasks: [summary()], nextBefore: CURSOR, total: 3 }),
    });
    const { result } = await rpc(
      'ListTasks',
      {
        contextId: 'ctx-1',
        status: 'TASK_STATE_INPUT_REQUIRED',
        pageSize: 1,
        pageToken: CURSOR,
        statusTimestampAfter: '2026-11-26T07:00:00Z',
      },
      '1.0',
    );
    expect(asked[0]?.payload).toEqual({
      tenantId: 'acme',
      limit: 1,
      withTotal: true,
      status: ['waiting_approval'],
      threadId: 'ctx-1',
      before: CURSOR,
      updatedAfter: '2026-11-26T07:00:00.000Z',
    });
    expect(result).toMatchObject({ nextPageToken: CURSOR, pageSize: 1, totalSize: 3 });
    expect(result?.['tasks'][0]).toMatchObject({
      id: TASK,
      contextId: 'ctx-1',
      status: { state: 'TASK_STATE_INPUT_REQUIRED', timestamp: '2026-11-26T08:00:02.000Z' },
      metadata: { task: 'add a note' },
    });
  });

  it('refuses a bad page size or page token naming the field, and asks nothing', async () => {
    const { rpc, asked } = endpoint();
    const big = await rpc('ListTasks', { pageSize: 101 }, '1.0');
    expect(big.error?.code).toBe(-32602);
    expect(big.error?.message).toMatch(/^params\.pageSize/);
    const token = await rpc('ListTasks', { pageToken: 'page-2' }, '1.0');
    expect(token.error?.code).toBe(-32602);
    expect(token.error?.message).toMatch(/^params\.pageToken/);
    expect(asked).toEqual([]);
  });

  it('answers a state no platform task is in with an empty page, without asking', async () => {
    const { rpc, asked } = endpoint();
    const { result } = await rpc('ListTasks', { status: 'TASK_STATE_REJECTED' }, '1.0');
    expect(result).toMatchObject({ pageSize: 50, totalSize: 0 });
    expect(asked).toEqual([]);
  });

  it('is not an A2A 0.3 method', async () => {
    const { rpc } = endpoint();
    const { error } = await rpc('ListTasks', {});
    expect(error?.code).toBe(-32601);
  });
});

const stored = (over: Partial<Webhooks.A2aPushConfigView> = {}): Webhooks.A2aPushConfigView => ({
  taskId: TASK,
  configId: 'c1',
  url: 'https://hooks.example.com/a2a',
  token: 'tok',
  authentication: { scheme: 'Bearer' },
  wireVersion: '1.0',
  createdAt: '2026-11-26T08:00:00.000Z',
  ...over,
});

describe('push notification configs', () => {
  it('sets a 1.0 config on the orchestrator and answers it without its credentials', async () => {
    const { rpc, asked } = endpoint({ [Webhooks.A2aPushConfigSet.subject]: () => stored() });
    const { result } = await rpc(
      'CreateTaskPushNotificationConfig',
      {
        taskId: TASK,
        id: 'c1',
        url: 'https://hooks.example.com/a2a',
        token: 'tok',
        authentication: { scheme: 'Bearer', credentials: 'secret-1' },
      },
      '1.0',
    );
    expect(asked[0]?.payload).toEqual({
      taskId: TASK,
      configId: 'c1',
      url: 'https://hooks.example.com/a2a',
      token: 'tok',
      authentication: { scheme: 'Bearer', credentials: 'secret-1' },
      wireVersion: '1.0',
    });
    expect(result).toEqual({
      id: 'c1',
      taskId: TASK,
      url: 'https://hooks.example.com/a2a',
      token: 'tok',
      authentication: { scheme: 'Bearer' },
    });
  });

  it.each([
    [{ taskId: TASK }, /^params\.url is required/],
    [{ taskId: TASK, url: 'ftp://h.example/x' }, /^params\.url: must be an http or https URL/],
    [{ taskId: TASK, url: 'https://u:p@h.example/x' }, /^params\.url: must not hold a user name/],
    [
      { taskId: TASK, url: 'https://h.example/x', authentication: { credentials: 'x' } },
      /^params\.authentication\.scheme is required/,
    ],
    [
      { taskId: TASK, url: 'https://h.example/x', authentication: { scheme: 'Bearer x' } },
      /^params\.authentication\.scheme: must be an HTTP authentication scheme/,
    ],
    [{ taskId: TASK, url: 'https://h.example/x', token: 'a\nb' }, /^params\.token/],
    [{ taskId: TASK, url: 'https://h.example/x', id: 'a b' }, /^params\.id: must be/],
  ])('refuses %j naming the field', async (params, message) => {
    const { rpc, asked } = endpoint();
    const { error } = await rpc('CreateTaskPushNotificationConfig', params, '1.0');
    expect(error?.code).toBe(-32602);
    expect(error?.message).toMatch(message);
    expect(asked).toEqual([]);
  });

  it("names the URL policy's refusal as the caller's field, in 0.3 too", async () => {
    const { rpc, asked } = endpoint({
      [Webhooks.A2aPushConfigSet.subject]: () => {
        throw new DomainError(
          'VALIDATION',
          'url: 127.0.0.1 is a loopback address, which the URL policy refuses',
        );
      },
    });
    const v1 = await rpc(
      'CreateTaskPushNotificationConfig',
      { taskId: TASK, url: 'https://l.example/' },
      '1.0',
    );
    expect(v1.error).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/^params\.url: 127\.0\.0\.1 is a loopback/),
    });
    const legacy = await rpc('tasks/pushNotificationConfig/set', {
      taskId: TASK,
      pushNotificationConfig: { url: 'https://l.example/' },
    });
    expect(legacy.error?.message).toMatch(/^params\.pushNotificationConfig\.url: 127\.0\.0\.1/);
    expect(asked[1]?.payload).toMatchObject({ wireVersion: '0.3' });
  });

  it("reads a 0.3 get that names no config as the task's first one", async () => {
    const { rpc, asked } = endpoint({
      [Webhooks.A2aPushConfigList.subject]: () => ({ configs: [stored({ wireVersion: '0.3' })] }),
    });
    const { result } = await rpc('tasks/pushNotificationConfig/get', { id: TASK });
    expect(result).toMatchObject({ taskId: TASK, pushNotificationConfig: { id: 'c1' } });
    expect(asked[0]?.payload).toEqual({ taskId: TASK, limit: 1 });
  });

  it("says a task id that cannot be the platform's is not found", async () => {
    const { rpc, asked } = endpoint();
    const { error } = await rpc(
      'GetTaskPushNotificationConfig',
      { taskId: 'nope', id: 'c1' },
      '1.0',
    );
    expect(error?.code).toBe(-32001);
    expect(asked).toEqual([]);
  });

  it('gets, lists (paged) and deletes through the orchestrator', async () => {
    const { rpc, asked } = endpoint({
      [Webhooks.A2aPushConfigGet.subject]: () => stored(),
      [Webhooks.A2aPushConfigList.subject]: () => ({ configs: [stored()], nextAfter: 'c1' }),
      [Webhooks.A2aPushConfigDelete.subject]: () => ({ deleted: true, cancelledDeliveries: 0 }),
    });
    const got = await rpc('GetTaskPushNotificationConfig', { taskId: TASK, id: 'c1' }, '1.0');
    expect(got.result).toMatchObject({ id: 'c1', url: 'https://hooks.example.com/a2a' });
    const listed = await rpc(
      'ListTaskPushNotificationConfigs',
      { taskId: TASK, pageSize: 1, pageToken: 'c0' },
      '1.0',
    );
    expect(listed.result).toMatchObject({ configs: [{ id: 'c1' }], nextPageToken: 'c1' });
    const deleted = await rpc(
      'DeleteTaskPushNotificationConfig',
      { taskId: TASK, id: 'c1' },
      '1.0',
    );
    expect(deleted.error).toBeUndefined();
    expect(asked.map((a) => a.payload)).toEqual([
      { taskId: TASK, configId: 'c1' },
      { taskId: TASK, limit: 1, after: 'c0' },
      { taskId: TASK, configId: 'c1' },
    ]);
  });
});

describe('the extended card', () => {
  const tool = {
    name: 'notes.add',
    title: 'Add a note',
    description: 'Adds a note',
    provider: 'notes',
    inputSchema: { type: 'object' },
    idempotent: false,
    approval: { mode: 'always' },
  } as unknown as Tools.ManifestTool;
  const agent = (name: string, available: boolean): A2a.AgentSummary => ({
    name,
    description: `${name} agent`,
    baseUrl: `http://${name}.example`,
    transport: 'http',
    skills: [{ id: 'research', name: 'Research', description: 'r' }],
    available,
  });

  it("adds the caller's tools and reachable agents as skills to the public card", async () => {
    const { rpc, asked } = endpoint({
      [Tools.ToolsManifest.subject]: () => ({
        tools: [tool],
        mode: 'auto',
        generatedAt: '2026-11-26T08:00:00.000Z',
        cached: false,
      }),
      [A2a.AgentsList.subject]: () => ({
        agents: [agent('researcher', true), agent('gone', false)],
      }),
    });
    const { result } = await rpc('GetExtendedAgentCard', {}, '1.0');
    expect(result?.['skills'].map((s: { id: string }) => s.id)).toEqual([
      'run-task',
      'tool:notes.add',
      'agent:researcher',
    ]);
    expect(result?.['skills'][1]).toMatchObject({
      name: 'Add a note',
      tags: ['tool', 'notes', 'approval'],
    });
    expect(result?.['capabilities']).toMatchObject({
      pushNotifications: true,
      extendedAgentCard: true,
    });
    expect(asked.map((a) => a.subject).sort()).toEqual(
      [A2a.AgentsList.subject, Tools.ToolsManifest.subject].sort(),
    );
  });

  it('lists the tools alone when a2a does not answer', async () => {
    const { rpc } = endpoint({
      [Tools.ToolsManifest.subject]: () => ({
        tools: [tool],
        mode: 'auto',
        generatedAt: '2026-11-26T08:00:00.000Z',
        cached: false,
      }),
    });
    const { result } = await rpc('GetExtendedAgentCard', {}, '1.0');
    expect(result?.['skills'].map((s: { id: string }) => s.id)).toEqual([
      'run-task',
      'tool:notes.add',
    ]);
  });

  it('is agent/getAuthenticatedExtendedCard in 0.3', async () => {
    const { rpc } = endpoint({
      [Tools.ToolsManifest.subject]: () => ({
        tools: [tool],
        mode: 'auto',
        generatedAt: '2026-11-26T08:00:00.000Z',
        cached: false,
      }),
      [A2a.AgentsList.subject]: () => ({ agents: [] }),
    });
    const { result, error } = await rpc('agent/getAuthenticatedExtendedCard', {});
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ protocolVersion: expect.stringMatching(/^0\.3/) });
    expect(result?.['skills'].map((s: { id: string }) => s.id)).toContain('tool:notes.add');
  });
});
