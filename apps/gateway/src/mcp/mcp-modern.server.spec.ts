import type { Actor, Approvals, Tools } from '@switchboard/contracts';
import type { WaitingCall } from './mcp-approval.text.js';
import { goingOn, resumeStateOf, waitingAnswer } from './mcp-modern.server.js';
import { ProtocolError } from './mcp.translator.js';

const TASK = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
const APPROVAL = '6fa459ea-ee8a-4ca4-894e-db77e160355e';
const ann: Actor = { userId: 'ann', role: 'user' };
const EXPIRES = '2026-11-26T11:00:00.000Z';

const policy = (allowSelf: boolean): Approvals.ApprovalPolicy =>
  ({
    approvers: { requester: allowSelf, roles: allowSelf ? [] : ['ops'], users: [] },
    allowSelf,
  }) as unknown as Approvals.ApprovalPolicy;

const waiting = (allowSelf = true): WaitingCall => ({
  taskId: TASK,
  approval: {
    approvalId: APPROVAL,
    taskId: TASK,
    target: 'notes.add',
    input: { content: 'hi' },
    expiresAt: EXPIRES,
  } as unknown as WaitingCall['approval'],
  tool: { name: 'notes.add' } as Tools.ManifestTool,
  policy: policy(allowSelf),
});

describe('a 2026-07-28 call that waits for a decision', () => {
  it('is input_required when the client can ask its user and the caller may decide', () => {
    const answer = waitingAnswer(waiting(), 7, ann, { elicitation: {} });
    expect(answer).toMatchObject({
      resultType: 'input_required',
      inputRequests: { decision: { method: 'elicitation/create' } },
    });
    const state = (answer as { requestState: string }).requestState;
    expect(resumeStateOf(state)).toEqual({ taskId: TASK, approvalId: APPROVAL, seq: 7 });
  });

  /** The extension's CreateTaskResult (schema 2026-07-28): Result & Task, `resultType: "task"`. */
  const TASK_RESULT_KEYS = [
    '_meta',
    'createdAt',
    'lastUpdatedAt',
    'pollIntervalMs',
    'resultType',
    'status',
    'statusMessage',
    'taskId',
    'ttlMs',
  ];

  it('becomes an MCP task — a task result, not a failed tool result — when the caller may not decide and the client took the extension', () => {
    const answer = waitingAnswer(waiting(false), 7, ann, {
      elicitation: {},
      extensions: { 'io.modelcontextprotocol/tasks': {} },
    }) as unknown as Record<string, unknown> & { _meta: Record<string, unknown> };
    expect(Object.keys(answer).sort()).toEqual(TASK_RESULT_KEYS);
    expect(answer).toMatchObject({
      resultType: 'task',
      taskId: TASK,
      // Someone else decides: nothing for this client to answer, the task goes on without it.
      status: 'working',
      ttlMs: null,
      pollIntervalMs: 2_000,
    });
    expect(answer.statusMessage).toContain(`approval ${APPROVAL}`);
    expect(answer.statusMessage).toContain('You may not decide it yourself');
    expect(answer.statusMessage).toContain('holders of the role ops');
    expect(answer._meta['io.modelcontextprotocol/related-task']).toEqual({ taskId: TASK });
    expect(answer._meta['dev.switchboard/approval']).toEqual({
      taskId: TASK,
      approvalId: APPROVAL,
      status: 'waiting_approval',
      expiresAt: EXPIRES,
    });
  });

  it('is a task waiting for its input when the caller may decide but the client cannot ask its user', () => {
    const answer = waitingAnswer(waiting(), 7, ann, {
      extensions: { 'io.modelcontextprotocol/tasks': {} },
    }) as unknown as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual(TASK_RESULT_KEYS);
    expect(answer).toMatchObject({ resultType: 'task', taskId: TASK, status: 'input_required' });
    expect(answer.statusMessage).toContain('tasks/update');
  });

  it('says how to approve it elsewhere to a client with neither', () => {
    const answer = waitingAnswer(waiting(), 7, ann, {}) as unknown as {
      content: { text: string }[];
      task?: unknown;
    };
    expect(answer.task).toBeUndefined();
    expect(answer.content[0]!.text).toContain(`POST /tasks/${TASK}/approvals/${APPROVAL}`);
  });
});

describe('a call whose task goes on past the wait', () => {
  const running = {
    content: [
      { type: 'text' as const, text: `notes.add has not finished yet; it goes on as task ${TASK}` },
    ],
    isError: true,
    _meta: { 'dev.switchboard/approval': { taskId: TASK, status: 'running' } },
  };
  const TASKS = { extensions: { 'io.modelcontextprotocol/tasks': {} } };

  it('is that task — a task result, not the error text — for a client that took the tasks extension', () => {
    const answer = goingOn(running, TASKS) as unknown as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual([
      '_meta',
      'createdAt',
      'lastUpdatedAt',
      'pollIntervalMs',
      'resultType',
      'status',
      'taskId',
      'ttlMs',
    ]);
    expect(answer).toMatchObject({
      resultType: 'task',
      taskId: TASK,
      status: 'working',
      ttlMs: null,
      _meta: {
        'io.modelcontextprotocol/related-task': { taskId: TASK },
        'dev.switchboard/approval': { taskId: TASK, status: 'running' },
      },
    });
  });

  it('stays the plain answer for other clients and for calls that ended', () => {
    expect(goingOn(running, {})).toBe(running);
    const ended = {
      ...running,
      _meta: { 'dev.switchboard/approval': { taskId: TASK, status: 'completed' } },
    };
    expect(goingOn(ended, TASKS)).toBe(ended);
  });
});

describe('requestState', () => {
  it('is refused naming the field when it is not what the gateway sent', () => {
    for (const bad of [
      'not json',
      '{}',
      JSON.stringify({ taskId: TASK, approvalId: 'x', seq: 1 }),
    ]) {
      let error: unknown;
      try {
        resumeStateOf(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({
        code: -32602,
        message: expect.stringMatching(/^requestState/),
      });
    }
  });
});
