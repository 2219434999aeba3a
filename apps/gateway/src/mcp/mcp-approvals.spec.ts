import { type Actor, Approvals, DomainError, type Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { GatewayEnv } from '../config/gateway.env.js';
import type { TaskEventFeed, TaskEventFollower } from '../tasks/feed/task-event.follower.js';
import type {
  SubmitOptions,
  SubmitTaskUseCase,
} from '../tasks/submit-task/submit-task.use-case.js';
import { TaskSessions } from '../tasks/session/task-sessions.js';
import type { StreamSlots } from '../limits/stream-slots.js';
import { META_APPROVAL } from './mcp-approval.text.js';
import {
  DECLINED_REASON,
  type ElicitAnswer,
  type GatedCall,
  McpApprovals,
} from './mcp-approvals.js';

const TASK = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
const APPROVAL = '6fa459ea-ee8a-4ca4-894e-db77e160355e';
const EXPIRES = new Date(Date.now() + 3_600_000).toISOString();
const ann: Actor = { userId: 'ann', role: 'user' };
const NOTE = { id: 'n1', title: null, content: 'hello', createdAt: '2026-11-25T00:00:00.000Z' };

/** A feed the test writes to: events wait in a queue until read, close() ends it. */
class FakeFeed implements TaskEventFeed {
  private readonly queue: Tasks.TaskEvent[] = [];
  private wake: (() => void) | undefined;
  closed = false;
  private seq = 0;

  push<N extends Tasks.TaskEventName>(name: N, data: Tasks.TaskEventPayload<N>): void {
    this.queue.push({
      taskId: TASK,
      seq: ++this.seq,
      at: new Date().toISOString(),
      source: 'orchestrator',
      name,
      data,
    } as Tasks.TaskEvent);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  forEach(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Tasks.TaskEvent> {
    for (;;) {
      if (this.closed) return;
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

type Script = 'waits' | 'completes-at-once' | 'never';

/** The platform faked: the task waits for its approval; a decision resumes it to its end. */
function setup(opts: { script?: Script; refuse?: DomainError; timeoutMs?: number } = {}) {
  const feed = new FakeFeed();
  const submitted: { request: Tasks.TaskRequest; call: unknown; actor: Actor }[] = [];
  const decided: Approvals.ApprovalDecisionRequest[] = [];
  const submit = {
    newTaskId: () => TASK,
    execute: (
      _id: string,
      actor: Actor,
      request: Tasks.TaskRequest,
      _c: string,
      { call }: SubmitOptions,
    ) => {
      submitted.push({ request, call, actor });
      if (opts.script === 'completes-at-once') {
        feed.push('orchestrator.task.completed', {
          result: 'x',
          output: NOTE,
          planner: 'builtin',
          steps: 1,
          durationMs: 3,
        });
      } else if (opts.script !== 'never') {
        feed.push('orchestrator.approval.requested', {
          approvalId: APPROVAL,
          stepId: 'call',
          kind: 'tool',
          target: 'notes.add',
          input: { content: 'hello' },
          argsHash: 'a'.repeat(64),
          reason: 'call notes.add as asked through the MCP endpoint',
          expiresAt: EXPIRES,
        });
      }
      return Promise.resolve();
    },
  } as unknown as SubmitTaskUseCase;
  const follower = { follow: () => Promise.resolve(feed) } as unknown as TaskEventFollower;
  const bus = {
    request: (_contract: unknown, req: Approvals.ApprovalDecisionRequest) => {
      if (opts.refuse) return Promise.reject(opts.refuse);
      decided.push(req);
      if (req.decision === 'approve') {
        feed.push('orchestrator.approval.decided', {
          approvalId: APPROVAL,
          stepId: 'call',
          target: 'notes.add',
          status: 'approved',
          decidedBy: 'ann',
          edited: false,
        });
        feed.push('orchestrator.task.completed', {
          result: JSON.stringify(NOTE),
          output: NOTE,
          planner: 'builtin',
          steps: 1,
          durationMs: 5,
        });
      }
      return Promise.resolve({});
    },
  } as unknown as NatsBus;
  const config = { RESULT_TIMEOUT_MS: opts.timeoutMs ?? 5_000 } as GatewayEnv;
  const logger = { debug: () => undefined, warn: () => undefined } as unknown as Logger;
  const sessions = new TaskSessions(submit, follower, {} as StreamSlots, bus, logger);
  const sut = new McpApprovals(sessions, config, logger);
  return { sut, feed, submitted, decided };
}

const tool = (
  policy: Approvals.ApprovalPolicyInput = {},
  outputSchema?: Record<string, unknown>,
): GatedCall['tool'] => ({
  name: 'notes.add',
  title: 'Add a note',
  description: 'adds a note',
  provider: 'notes',
  inputSchema: { type: 'object' },
  ...(outputSchema ? { outputSchema } : {}),
  idempotent: false,
  approval: Approvals.ApprovalPolicy.parse(policy),
});

function gated(over: Partial<GatedCall> = {}): GatedCall {
  return {
    actor: ann,
    constraints: undefined,
    tool: tool(),
    input: { content: 'hello' },
    elicit: undefined,
    signal: new AbortController().signal,
    ...over,
  };
}

/** An elicit that answers as told, recording what it was asked. */
function answering(answer: ElicitAnswer | Error) {
  const asked: { message: string; timeoutMs: number }[] = [];
  const elicit = (message: string, timeoutMs: number) => {
    asked.push({ message, timeoutMs });
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { asked, elicit };
}

const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

describe(McpApprovals.name, () => {
  it('puts a call on a thread into it: a one-call task with thread_id and thread_policy, its outcome the answer', async () => {
    const { sut, submitted } = setup({ script: 'completes-at-once' });
    const { approval: _none, ...plain } = tool();
    const result = await sut.call(
      gated({ tool: plain, thread: { id: 'chat', policy: 'interrupt' } }),
    );
    expect(submitted[0]?.request).toEqual({
      task: 'call notes.add (a call through the MCP endpoint on a thread)',
      thread_id: 'chat',
      thread_policy: 'interrupt',
    });
    expect(result.isError).toBeFalsy();
    expect(result._meta).toEqual({ [META_APPROVAL]: { taskId: TASK, status: 'completed' } });
  });

  it('runs a whole task (switchboard.run_task): its request as given, no call; the answer its result', async () => {
    const { sut, submitted } = setup({ script: 'completes-at-once' });
    const task: Tasks.TaskRequest = { task: 'ask the keeper about X', thread_id: 'chat' };
    const result = await sut.call(gated({ tool: tool(), task }));
    expect(submitted).toEqual([{ actor: ann, request: task, call: undefined }]);
    expect(result.content).toEqual([{ type: 'text', text: 'x' }]);
    expect(result._meta).toEqual({ [META_APPROVAL]: { taskId: TASK, status: 'completed' } });
  });

  it('submits the call as a one-call task of the caller, with exactly its input', async () => {
    const { sut, submitted } = setup();
    const constraints: Tasks.ToolConstraints = { mode: 'custom', tools: ['notes.add'] };
    await sut.call(gated({ constraints }));
    expect(submitted).toEqual([
      {
        actor: ann,
        request: {
          task: expect.stringContaining('notes.add') as string,
          tool_constraints: constraints,
        },
        call: { tool: 'notes.add', input: { content: 'hello' } },
      },
    ]);
  });

  it('asks the caller by elicitation, approves as them and answers the tool result', async () => {
    const { sut, decided, feed } = setup();
    const { asked, elicit } = answering({ action: 'accept', content: { decision: 'approve' } });
    const result = await sut.call(gated({ elicit }));
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toContain('notes.add with {"content":"hello"}');
    expect(asked[0]!.message).toContain(EXPIRES);
    // Never longer than the approval stays open.
    expect(asked[0]!.timeoutMs).toBeLessThanOrEqual(3_600_000);
    expect(decided).toEqual([{ taskId: TASK, approvalId: APPROVAL, decision: 'approve' }]);
    expect(result).toEqual({
      content: [{ type: 'text', text: JSON.stringify(NOTE) }],
      structuredContent: NOTE,
      _meta: { [META_APPROVAL]: { taskId: TASK, approvalId: APPROVAL, status: 'completed' } },
    });
    expect(feed.closed).toBe(true);
  });

  it('rejects with the form reason, and answers an error result without waiting for the task', async () => {
    const { sut, decided } = setup();
    const { elicit } = answering({
      action: 'accept',
      content: { decision: 'reject', reason: ' not today ' },
    });
    const result = await sut.call(gated({ elicit }));
    expect(decided).toEqual([
      { taskId: TASK, approvalId: APPROVAL, decision: 'reject', reason: 'not today' },
    ]);
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('rejected (not today)');
  });

  it('takes a declined form as a rejection', async () => {
    const { sut, decided } = setup();
    const { elicit } = answering({ action: 'decline' });
    const result = await sut.call(gated({ elicit }));
    expect(decided).toEqual([
      { taskId: TASK, approvalId: APPROVAL, decision: 'reject', reason: DECLINED_REASON },
    ]);
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(DECLINED_REASON);
  });

  it.each([
    ['cancelled', { action: 'cancel' } as ElicitAnswer, 'dismissed'],
    [
      'answered without a decision',
      { action: 'accept', content: { decision: 'maybe' } },
      'without a decision',
    ],
    ['unanswered', new Error('timed out'), 'did not answer'],
  ] as const)(
    'leaves the approval pending when the form is %s, and says how to approve',
    async (_, answer, note) => {
      const { sut, decided } = setup();
      const { elicit } = answering(answer as ElicitAnswer | Error);
      const result = await sut.call(gated({ elicit }));
      expect(decided).toEqual([]);
      expect(text(result)).toContain(note);
      expect(result.structuredContent).toEqual({
        taskId: TASK,
        approvalId: APPROVAL,
        status: 'waiting_approval',
        expiresAt: EXPIRES,
      });
    },
  );

  it('without the capability, answers where the call waits, who decides and how', async () => {
    const { sut, decided } = setup();
    const result = await sut.call(gated({ tool: tool({ approvers: { roles: ['finance'] } }) }));
    expect(decided).toEqual([]);
    const t = text(result);
    expect(t).toContain(`task ${TASK}`);
    expect(t).toContain(`approval ${APPROVAL}`);
    expect(t).toContain(`POST /tasks/${TASK}/approvals/${APPROVAL}`);
    expect(t).toContain(`GET /tasks/${TASK}`);
    expect(t).toContain('you (the caller); holders of the role finance; admins');
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toMatchObject({ taskId: TASK, status: 'waiting_approval' });
  });

  it('for a tool with an output schema, answers an error result with the ids in _meta only', async () => {
    const { sut } = setup();
    const result = await sut.call(gated({ tool: tool({}, { type: 'object' }) }));
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(result._meta).toEqual({
      [META_APPROVAL]: {
        taskId: TASK,
        approvalId: APPROVAL,
        status: 'waiting_approval',
        expiresAt: EXPIRES,
      },
    });
  });

  it('does not ask a caller the policy does not let decide (four eyes)', async () => {
    const { sut, decided } = setup();
    const { asked, elicit } = answering({ action: 'accept', content: { decision: 'approve' } });
    const fourEyes = tool({
      approvers: { requester: false, roles: ['finance'] },
      allowSelf: false,
    });
    const result = await sut.call(gated({ elicit, tool: fourEyes }));
    expect(asked).toEqual([]);
    expect(decided).toEqual([]);
    expect(text(result)).toContain('You may not decide it yourself');
  });

  it('says how to approve when the orchestrator refuses the decision', async () => {
    const { sut } = setup({ refuse: new DomainError('FORBIDDEN', 'not yours') });
    const { elicit } = answering({ action: 'accept', content: { decision: 'approve' } });
    const result = await sut.call(gated({ elicit }));
    expect(text(result)).toContain('Your decision was not taken (FORBIDDEN: not yours)');
    expect(result.structuredContent).toMatchObject({ status: 'waiting_approval' });
  });

  it('answers the result of a call that ran without waiting (the policy went away meanwhile)', async () => {
    const { sut } = setup({ script: 'completes-at-once' });
    const result = await sut.call(gated());
    expect(result.structuredContent).toEqual(NOTE);
    expect(result._meta).toEqual({ [META_APPROVAL]: { taskId: TASK, status: 'completed' } });
  });

  it('does not hold the request past RESULT_TIMEOUT_MS: it answers the task id', async () => {
    const { sut, feed } = setup({ script: 'never', timeoutMs: 50 });
    const result = await sut.call(gated());
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`GET /tasks/${TASK}`);
    expect(feed.closed).toBe(true);
  });

  it('stops following the task when the client abandons the call', async () => {
    const { sut, feed, submitted } = setup({ script: 'never', timeoutMs: 60_000 });
    const abort = new AbortController();
    const pending = sut.call(gated({ signal: abort.signal }));
    await new Promise((r) => setImmediate(r)); // submitted, now waiting for its events
    expect(submitted).toHaveLength(1);
    abort.abort();
    const result = await pending;
    expect(feed.closed).toBe(true);
    expect(result._meta).toEqual({ [META_APPROVAL]: { taskId: TASK, status: 'running' } });
  });

  it('does not submit a call whose client went away before its task was accepted', async () => {
    const { sut, submitted } = setup();
    const abort = new AbortController();
    abort.abort();
    const result = await sut.call(gated({ signal: abort.signal }));
    expect(submitted).toEqual([]);
    expect(result.isError).toBe(true);
  });
});
