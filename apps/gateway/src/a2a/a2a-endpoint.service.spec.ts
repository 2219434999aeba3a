import type { Actor, Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { ServerResponse } from 'node:http';
import { demoTaskEvents } from '../agui/task-events.fixture.js';
import type { GatewayEnv } from '../config/gateway.env.js';
import type { SubmitTaskUseCase } from '../tasks/submit-task/submit-task.use-case.js';
import type { CancelTaskUseCase } from '../tasks/cancel-task/cancel-task.use-case.js';
import type { TaskAccess } from '../tasks/task-access.js';
import { TaskSessions } from '../tasks/session/task-sessions.js';
import type { StreamSlots } from '../limits/stream-slots.js';
import type { TaskEventFeed, TaskEventFollower } from '../tasks/feed/task-event.follower.js';
import { A2aEndpoint } from './a2a-endpoint.service.js';
import { PlatformAgentExecutor } from './platform-agent.executor.js';
import { PlatformAgentQueries } from './platform-agent.queries.js';

const config = {
  AUTH_MODE: 'dev',
  EXPOSE_OPENAPI: false,
  RESULT_TIMEOUT_MS: 60_000,
  SSE_MAX_BUFFER_BYTES: 1_000_000,
} as GatewayEnv;
const logger = { warn: () => undefined, error: () => undefined } as unknown as Logger;
const actor: Actor = { userId: 'u1', role: 'user' };
const STORED = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';

/** A raw response that keeps what the endpoint writes (JSON, or SSE frames). */
class CapturedResponse {
  status = 0;
  headers: Record<string, unknown> = {};
  body = '';
  writableEnded = false;
  destroyed = false;
  writableLength = 0;
  writeHead(status: number, headers: Record<string, unknown>): this {
    this.status = status;
    this.headers = headers;
    return this;
  }
  write(chunk: string): boolean {
    this.body += chunk;
    return true;
  }
  end(chunk?: string): this {
    if (chunk) this.body += chunk;
    this.writableEnded = true;
    return this;
  }
  on(): this {
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
  json(): Record<string, unknown> {
    return JSON.parse(this.body) as Record<string, unknown>;
  }
  /** The JSON-RPC envelopes of an SSE answer, in order. */
  events(): Record<string, unknown>[] {
    return this.body
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
  }
}

/**
 * The endpoint over the real request handler and executor; the platform around them is faked: each
 * submitted task "runs" as the demo task's events, and the orchestrator stores one completed task.
 */
function endpoint(answers: Record<string, (payload: unknown) => unknown> = {}) {
  const submitted: string[] = [];
  const cancelled: string[] = [];
  const submit = {
    execute: (_taskId: string, _actor: Actor, request: Tasks.TaskRequest) => {
      submitted.push(request.task);
      return Promise.resolve();
    },
  } as unknown as SubmitTaskUseCase;
  const follower = {
    follow: (taskId: string): Promise<TaskEventFeed> => {
      const events = demoTaskEvents(taskId);
      return Promise.resolve({
        async *[Symbol.asyncIterator]() {
          yield* events;
        },
        forEach: () => Promise.resolve(),
        close: () => undefined,
      });
    },
  } as unknown as TaskEventFollower;
  const view = (status: Tasks.TaskStatus): Tasks.TaskView => ({
    taskId: STORED,
    userId: 'u1',
    status,
    task: 'what is 6 * 7',
    ...(status === 'completed' ? { result: '6 * 7 = 42.' } : {}),
    steps: [],
    lastEventSeq: 3,
    createdAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T10:00:01.000Z',
  });
  const access = {
    view: (taskId: string) =>
      Promise.resolve(view(cancelled.includes(taskId) ? 'cancelled' : 'completed')),
  } as unknown as TaskAccess;
  const cancelling = {
    execute: (taskId: string) => {
      cancelled.push(taskId);
      return Promise.resolve({ taskId, status: 'cancelled', cancelRequested: true });
    },
  } as unknown as CancelTaskUseCase;
  const nats = {
    request: () => Promise.reject(new Error('no NATS in this spec')),
  } as unknown as NatsBus;
  const asked: { subject: string; payload: unknown }[] = [];
  const queries = new PlatformAgentQueries({
    request: (contract: { subject: string }, payload: unknown) => {
      asked.push({ subject: contract.subject, payload });
      return Promise.resolve(answers[contract.subject]?.(payload));
    },
  } as unknown as NatsBus);
  const executor = new PlatformAgentExecutor(
    new TaskSessions(submit, follower, {} as StreamSlots, nats, logger),
    cancelling,
    access,
    config,
    logger,
  );
  const sut = new A2aEndpoint(executor, access, cancelling, queries, config, logger);
  const call = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = new CapturedResponse();
    await sut.handle({ body, headers, actor, res: res as unknown as ServerResponse });
    return res;
  };
  return { sut, call, submitted, cancelled, asked };
}

/** A v0.3 request: v0.3 method names, kind-tagged parts, lowercase roles. */
const legacySend = (method: 'message/send' | 'message/stream', ...texts: string[]) => ({
  jsonrpc: '2.0',
  id: 'r1',
  method,
  params: {
    message: {
      kind: 'message',
      messageId: 'm1',
      role: 'user',
      parts: texts.map((text) => ({ kind: 'text', text })),
    },
    configuration: { blocking: true },
  },
});

describe(A2aEndpoint.name, () => {
  it('answers message/send without A2A-Version in A2A 0.3: a kind-tagged task, lowercase state', async () => {
    const { call, submitted } = endpoint();
    const res = await call(legacySend('message/send', 'what is 17 * 23'));
    expect(submitted).toEqual(['what is 17 * 23']);
    const { result } = res.json() as { result: Record<string, unknown> };
    expect(result).toMatchObject({
      kind: 'task',
      status: { state: 'completed', message: { kind: 'message', role: 'agent' } },
      artifacts: [{ artifactId: 'result', parts: [{ kind: 'text', text: '17 * 23 = 391.' }] }],
    });
    // Nothing of the 1.0 wire leaks through.
    expect(res.body).not.toMatch(/TASK_STATE_|ROLE_|"task":\{/);
  });

  it('streams message/stream as v0.3 events: the task, status updates, the artifact, a final completed', async () => {
    const { call } = endpoint();
    const res = await call(legacySend('message/stream', 'what is 17 * 23'));
    expect(res.headers['Content-Type']).toBe('text/event-stream');
    const results = res.events().map((e) => e['result'] as Record<string, unknown>);
    expect(res.events().every((e) => e['id'] === 'r1')).toBe(true);
    const kinds = results.map((r) =>
      r['kind'] === 'status-update'
        ? `status:${(r['status'] as { state: string }).state}${r['final'] ? ':final' : ''}`
        : String(r['kind']),
    );
    expect(kinds[0]).toBe('task');
    expect(kinds).toContain('status:working');
    expect(kinds.slice(-2)).toEqual(['artifact-update', 'status:completed:final']);
  });

  it('reads and cancels with tasks/get and tasks/cancel (tasks stored by the orchestrator)', async () => {
    const { call, cancelled } = endpoint();
    const got = await call({ jsonrpc: '2.0', id: 2, method: 'tasks/get', params: { id: STORED } });
    expect(got.json()).toMatchObject({
      id: 2,
      result: {
        kind: 'task',
        id: STORED,
        status: { state: 'completed' },
        artifacts: [{ parts: [{ kind: 'text', text: '6 * 7 = 42.' }] }],
      },
    });
    const cancel = await call({
      jsonrpc: '2.0',
      id: 3,
      method: 'tasks/cancel',
      params: { id: STORED },
    });
    expect(cancelled).toEqual([STORED]);
    expect(cancel.json()).toMatchObject({
      id: 3,
      result: { kind: 'task', status: { state: 'canceled' } },
    });
    const unknown = await call({
      jsonrpc: '2.0',
      id: 4,
      method: 'tasks/get',
      params: { id: 'not-a-task' },
    });
    expect(unknown.json()).toMatchObject({ id: 4, error: { code: -32001 } });
  });

  it('keeps the platform rules in 0.3: a message without text is refused, naming the field', async () => {
    const { call, submitted } = endpoint();
    const res = await call({
      ...legacySend('message/send'),
      params: {
        message: {
          kind: 'message',
          messageId: 'm1',
          role: 'user',
          parts: [{ kind: 'data', data: { a: 1 } }],
        },
      },
    });
    expect(res.json()).toEqual({
      jsonrpc: '2.0',
      id: 'r1',
      error: { code: -32602, message: 'params.message.parts must contain text (the task to run)' },
    });
    expect(submitted).toEqual([]);
  });

  it('still answers A2A 1.0 when asked with A2A-Version: 1.0', async () => {
    const { call } = endpoint();
    const res = await call(
      {
        jsonrpc: '2.0',
        id: 5,
        method: 'SendMessage',
        params: {
          message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'what is 17 * 23' }] },
        },
      },
      { 'a2a-version': '1.0' },
    );
    expect(res.json()).toMatchObject({
      id: 5,
      result: { task: { status: { state: 'TASK_STATE_COMPLETED' } } },
    });
  });

  it('refuses a version it does not speak, saying which it does and which header to send', async () => {
    const { call } = endpoint();
    for (const version of ['0.1', '2.0']) {
      const res = await call(legacySend('message/send', 'hi'), { 'a2a-version': version });
      expect(res.json()).toMatchObject({
        id: 'r1',
        error: {
          code: -32009,
          message: `A2A version '${version}' (the A2A-Version header) is not supported; supported versions: 1.0, 0.3. For A2A 1.0 send the header 'A2A-Version: 1.0'; for A2A 0.3 send no A2A-Version header, or 'A2A-Version: 0.3'`,
        },
      });
    }
  });

  it('names the header when a method of the other version arrives', async () => {
    const { call, submitted } = endpoint();
    const oneWithoutHeader = await call({
      jsonrpc: '2.0',
      id: 6,
      method: 'SendMessage',
      params: { message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'hi' }] } },
    });
    expect(oneWithoutHeader.json()).toEqual({
      jsonrpc: '2.0',
      id: 6,
      error: {
        code: -32601,
        message:
          "'SendMessage' is an A2A 1.0 method, but this request speaks A2A 0.3 (no A2A-Version header means 0.3), where it is 'message/send': send the header 'A2A-Version: 1.0'",
      },
    });
    const legacyWithHeader = await call(legacySend('message/send', 'hi'), { 'a2a-version': '1.0' });
    expect(legacyWithHeader.json()).toMatchObject({
      id: 'r1',
      error: {
        code: -32601,
        message:
          "'message/send' is an A2A 0.3 method; in A2A 1.0 it is 'SendMessage'. To speak A2A 0.3, send no A2A-Version header, or 'A2A-Version: 0.3'",
      },
    });
    expect(submitted).toEqual([]);
  });

  it('serves the v0.3 card to a caller that asks for no version, the 1.0 card to one that asks for 1.0', async () => {
    const { sut } = endpoint();
    const legacy = await sut.cardFor('http://gw.example', undefined);
    expect(legacy).toMatchObject({
      protocolVersion: '0.3',
      url: 'http://gw.example/a2a',
      preferredTransport: 'JSONRPC',
      securitySchemes: { devUser: { type: 'apiKey', in: 'header', name: 'X-User-Id' } },
      security: [{ devUser: [] }],
    });
    const current = await sut.cardFor('http://gw.example', '1.0');
    expect(current['url']).toBeUndefined();
    const both = [
      { url: 'http://gw.example/a2a', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: 'http://gw.example/a2a', protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    ];
    expect(current['supportedInterfaces']).toEqual(both);
    expect(legacy['supportedInterfaces']).toEqual(both);
    expect(await sut.cardFor('http://gw.example', '0.3')).toEqual(legacy);
  });
});
