import { Approvals, type Actor, DomainError, type Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { ServerResponse } from 'node:http';
import { approvalTaskEvents, DEMO_APPROVAL } from '../agui/task-events.fixture.js';
import type { GatewayEnv } from '../config/gateway.env.js';
import type { CancelTaskUseCase } from '../tasks/cancel-task/cancel-task.use-case.js';
import type { TaskEventFeed, TaskEventFollower } from '../tasks/feed/task-event.follower.js';
import type { SubmitTaskUseCase } from '../tasks/submit-task/submit-task.use-case.js';
import type { TaskAccess } from '../tasks/task-access.js';
import { TaskSessions } from '../tasks/session/task-sessions.js';
import type { StreamSlots } from '../limits/stream-slots.js';
import { A2aEndpoint } from './a2a-endpoint.service.js';
import { PlatformAgentQueries } from './platform-agent.queries.js';
import { PlatformAgentExecutor } from './platform-agent.executor.js';

const config = {
  AUTH_MODE: 'dev',
  EXPOSE_OPENAPI: false,
  RESULT_TIMEOUT_MS: 60_000,
  SSE_MAX_BUFFER_BYTES: 1_000_000,
} as GatewayEnv;
const logger = { warn: () => undefined, error: () => undefined } as unknown as Logger;
const actor: Actor = { userId: 'u1', role: 'user' };
const SECOND = '5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';

/** A raw response that keeps the JSON the endpoint writes. */
class Captured {
  body = '';
  writableEnded = false;
  destroyed = false;
  writableLength = 0;
  writeHead(): this {
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
    return this;
  }
}

interface Platform {
  submitted: Tasks.TaskRequest[];
  decided: Approvals.ApprovalDecisionRequest[];
  /** The seqs the executor asked to follow after. */
  follows: number[];
  pending: Approvals.ApprovalView[];
  refuse?: DomainError;
  status: Tasks.TaskStatus;
}

const pendingView = (taskId: string, approvalId = DEMO_APPROVAL): Approvals.ApprovalView => ({
  approvalId,
  taskId,
  stepId: approvalId === DEMO_APPROVAL ? 's2' : 's3',
  kind: 'tool',
  target: 'notes.add',
  input: { content: '391' },
  argsHash: 'a'.repeat(64),
  reason: 'save the result as a note',
  policy: Approvals.REQUESTED_APPROVAL_POLICY,
  status: 'pending',
  requestedBy: 'u1',
  requestedAt: '2026-11-22T10:00:00.000Z',
  expiresAt: '2026-11-23T10:00:00.000Z',
});

/**
 * The endpoint over the real request handler and executor, the platform faked: each task "runs" as the
 * demo task with notes.add to approve (approvalTaskEvents), its approvals are listed and decided by a
 * fake orchestrator, whose stored task lags behind (lastEventSeq 2), as a row read mid-pause may.
 */
function platform() {
  const state: Platform = {
    submitted: [],
    decided: [],
    follows: [],
    pending: [],
    status: 'running',
  };
  let taskId = '';
  const submit = {
    execute: (id: string, _actor: Actor, request: Tasks.TaskRequest) => {
      taskId = id;
      state.submitted.push(request);
      state.pending = [pendingView(id)];
      state.status = 'waiting_approval';
      return Promise.resolve();
    },
  } as unknown as SubmitTaskUseCase;
  const follower = {
    follow: (id: string, opts: { afterSeq: number }): Promise<TaskEventFeed> => {
      state.follows.push(opts.afterSeq);
      const events = approvalTaskEvents(id).filter((e) => e.seq > opts.afterSeq);
      return Promise.resolve({
        async *[Symbol.asyncIterator]() {
          yield* events;
        },
        forEach: () => Promise.resolve(),
        close: () => undefined,
      });
    },
  } as unknown as TaskEventFollower;
  const access = {
    view: (id: string): Promise<Tasks.TaskView> =>
      Promise.resolve({
        taskId: id,
        userId: 'u1',
        status: state.status,
        task: 'demo',
        steps: [],
        lastEventSeq: 2,
        threadId: 'ctx-1',
        createdAt: '2026-11-22T10:00:00.000Z',
        updatedAt: '2026-11-22T10:00:01.000Z',
      }),
  } as unknown as TaskAccess;
  const nats = {
    request: (contract: { subject: string }, payload: Record<string, unknown>) => {
      if (contract.subject === Approvals.ApprovalList.subject)
        return Promise.resolve({ approvals: state.pending });
      if (contract.subject === Approvals.ApprovalDecide.subject) {
        if (state.refuse) return Promise.reject(state.refuse);
        const request = payload as Approvals.ApprovalDecisionRequest;
        state.decided.push(request);
        state.pending = state.pending.filter((a) => a.approvalId !== request.approvalId);
        if (state.pending.length === 0) state.status = 'running';
        return Promise.resolve({ ...pendingView(taskId), status: 'approved' });
      }
      return Promise.reject(new Error(`unexpected ${contract.subject}`));
    },
  } as unknown as NatsBus;
  const cancelling = {} as CancelTaskUseCase;
  const queries = new PlatformAgentQueries(nats);
  const executor = new PlatformAgentExecutor(
    new TaskSessions(submit, follower, {} as StreamSlots, nats, logger),
    cancelling,
    access,
    config,
    logger,
  );
  const sut = new A2aEndpoint(executor, access, cancelling, queries, config, logger);
  const send = async (message: Record<string, unknown>) => {
    const res = new Captured();
    await sut.handle({
      body: { jsonrpc: '2.0', id: 1, method: 'SendMessage', params: { message } },
      headers: { 'a2a-version': '1.0' },
      actor,
      res: res as unknown as ServerResponse,
    });
    return JSON.parse(res.body) as {
      result?: { task: A2aTaskJson };
      error?: { code: number; message: string };
    };
  };
  return { state, send };
}

interface A2aTaskJson {
  id: string;
  contextId: string;
  status: { state: string; message?: { parts: { text?: string; data?: unknown }[] } };
  artifacts?: { artifactId: string }[];
}

const ask = (approval?: unknown) => ({
  messageId: 'm1',
  role: 'ROLE_USER',
  contextId: 'ctx-1',
  parts: [{ text: 'what is 17 * 23, then save the result as a note' }],
  ...(approval ? { metadata: { approval } } : {}),
});
const answer = (task: A2aTaskJson, part: Record<string, unknown>, messageId = 'm2') => ({
  messageId,
  role: 'ROLE_USER',
  taskId: task.id,
  contextId: task.contextId,
  parts: [part],
});
const textOf = (task: A2aTaskJson) =>
  task.status.message?.parts.map((p) => p.text ?? '').join('') ?? '';

describe('the platform as an A2A agent: approvals', () => {
  it('stops at INPUT_REQUIRED describing the call, and an "approve" on the task completes it', async () => {
    const { state, send } = platform();
    const first = await send(ask({ tools: ['notes.add'] }));
    expect(state.submitted[0]).toMatchObject({ approval: { tools: ['notes.add'] } });
    const task = first.result!.task;
    expect(task.status.state).toBe('TASK_STATE_INPUT_REQUIRED');
    expect(textOf(task)).toContain('tool notes.add with {"content":"391"}');
    expect(textOf(task)).toContain(DEMO_APPROVAL);
    expect(task.status.message?.parts[1]?.data).toMatchObject({
      approvals: [{ approvalId: DEMO_APPROVAL, target: 'notes.add' }],
    });

    const second = await send(answer(task, { text: 'approve' }));
    expect(second.error).toBeUndefined();
    expect(state.decided).toEqual([
      { taskId: task.id, approvalId: DEMO_APPROVAL, decision: 'approve' },
    ]);
    // Followed from the stored task's seq; the events it had shown already (its own request) skipped.
    expect(state.follows).toEqual([0, 2]);
    const done = second.result!.task;
    expect(done.id).toBe(task.id);
    expect(done.status.state).toBe('TASK_STATE_COMPLETED');
    expect(textOf(done)).toBe('17 * 23 = 391.');
    expect(done.artifacts?.map((a) => a.artifactId)).toEqual(['result']);
  });

  it('decides from a data part, with its reason and the approval named', async () => {
    const { state, send } = platform();
    const task = (await send(ask({ tools: ['notes.add'] }))).result!.task;
    await send(
      answer(task, {
        data: { approvalId: DEMO_APPROVAL, decision: 'reject', reason: 'not today' },
      }),
    );
    expect(state.decided).toEqual([
      { taskId: task.id, approvalId: DEMO_APPROVAL, decision: 'reject', reason: 'not today' },
    ]);
  });

  it('asks again, naming them, when several calls wait and the answer names none', async () => {
    const { state, send } = platform();
    const task = (await send(ask({ tools: ['notes.add'] }))).result!.task;
    state.pending.push(pendingView(task.id, SECOND));
    const again = (await send(answer(task, { text: 'approve' }))).result!.task;
    expect(state.decided).toEqual([]);
    expect(again.status.state).toBe('TASK_STATE_INPUT_REQUIRED');
    expect(textOf(again)).toContain('2 calls wait: name the approvalId you decide.');
    expect(textOf(again)).toContain(SECOND);
  });

  it('keeps the task waiting when the orchestrator refuses the decision, saying why', async () => {
    const { state, send } = platform();
    const task = (await send(ask({ tools: ['notes.add'] }))).result!.task;
    state.refuse = new DomainError('FORBIDDEN', 'deciding needs the role admin');
    const again = (await send(answer(task, { text: 'approve' }))).result!.task;
    expect(again.status.state).toBe('TASK_STATE_INPUT_REQUIRED');
    expect(textOf(again)).toContain(
      'the decision was refused: FORBIDDEN: deciding needs the role admin',
    );
  });

  it('refuses an answer it cannot read (-32602, naming the field) and a message on a task that does not wait (-32004)', async () => {
    const { state, send } = platform();
    const task = (await send(ask({ tools: ['notes.add'] }))).result!.task;
    const unreadable = await send(answer(task, { data: { decision: 'maybe' } }));
    expect(unreadable.error).toMatchObject({ code: -32602 });
    expect(unreadable.error?.message).toContain('params.message.parts[0].data.decision');
    await send(answer(task, { text: 'approve' }));
    const late = await send(answer(task, { text: 'approve' }, 'm3'));
    expect(late.error).toMatchObject({ code: -32004 });
    expect(late.error?.message).toContain('does not wait for input');
    expect(state.decided).toHaveLength(1);
  });
});
