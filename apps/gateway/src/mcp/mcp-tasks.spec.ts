import { type Actor, type Approvals, DomainError, type Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { CancelTaskUseCase } from '../tasks/cancel-task/cancel-task.use-case.js';
import type { TaskAccess } from '../tasks/task-access.js';
import { TaskSessions } from '../tasks/session/task-sessions.js';
import type { StreamSlots } from '../limits/stream-slots.js';
import type { TaskEventFollower } from '../tasks/feed/task-event.follower.js';
import type { SubmitTaskUseCase } from '../tasks/submit-task/submit-task.use-case.js';
import type { Logger } from '@switchboard/observability';
import { McpTasks, toMcpTask } from './mcp-tasks.js';
import { ProtocolError } from './mcp.translator.js';

const TASK = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
const APPROVAL = '6fa459ea-ee8a-4ca4-894e-db77e160355e';
const ann: Actor = { userId: 'ann', role: 'user' };
const AT = '2026-11-26T10:00:00.000Z';

const view = (status: Tasks.TaskStatus, more: Partial<Tasks.TaskView> = {}): Tasks.TaskView => ({
  taskId: TASK,
  userId: 'ann',
  status,
  task: 'call notes.add',
  steps: [],
  lastEventSeq: 3,
  createdAt: AT,
  updatedAt: AT,
  ...more,
});

const pending = {
  approvalId: APPROVAL,
  target: 'notes.add',
  expiresAt: AT,
  requestedBy: 'ann',
  policy: { approvers: { requester: true, roles: [], users: [] }, allowSelf: true },
} as unknown as Approvals.ApprovalView;

/** The platform faked: the task's view, its pending approvals, and what was asked of it. */
function setup(
  opts: { view?: Tasks.TaskView; notFound?: boolean; pending?: Approvals.ApprovalView[] } = {},
) {
  const notFound = () => new DomainError('NOT_FOUND', `task ${TASK} not found`);
  const asked: { subject: string; data: unknown }[] = [];
  const access = {
    view: () =>
      opts.notFound
        ? Promise.reject(notFound())
        : Promise.resolve(opts.view ?? view('waiting_approval')),
  } as unknown as TaskAccess;
  const bus = {
    request: (contract: { subject: string }, data: unknown) => {
      asked.push({ subject: contract.subject, data });
      return Promise.resolve(
        contract.subject.endsWith('approval.list') ? { approvals: opts.pending ?? [pending] } : {},
      );
    },
  } as unknown as NatsBus;
  const cancel = {
    execute: (taskId: string) => {
      if (opts.notFound) return Promise.reject(notFound());
      asked.push({ subject: 'cancel', data: taskId });
      return Promise.resolve({ taskId, status: 'cancelled', cancelRequested: true });
    },
  } as unknown as CancelTaskUseCase;
  // The sessions only ask (decide, list what is pending): nothing is submitted, followed or held.
  const sessions = new TaskSessions(
    {} as SubmitTaskUseCase,
    {} as TaskEventFollower,
    {} as StreamSlots,
    bus,
    {} as Logger,
  );
  return { tasks: new McpTasks(access, cancel, sessions), asked };
}

describe('toMcpTask', () => {
  it("maps the statuses to the extension's Task and offers the decision form while an approval waits", () => {
    const waiting = toMcpTask(view('waiting_approval'), pending);
    expect(waiting).toMatchObject({
      taskId: TASK,
      status: 'input_required',
      createdAt: AT,
      lastUpdatedAt: AT,
      ttlMs: null,
      pollIntervalMs: 2_000,
      inputRequests: { decision: { method: 'elicitation/create' } },
      _meta: { 'io.modelcontextprotocol/related-task': { taskId: TASK } },
    });
    expect(waiting).not.toHaveProperty('pollInterval');
    expect(waiting.statusMessage).toContain(APPROVAL);
    expect(toMcpTask(view('running')).status).toBe('working');
    expect(toMcpTask(view('queued')).status).toBe('working');
    expect(toMcpTask(view('completed', { result: 'done' })).result).toEqual({
      resultType: 'complete',
      content: [{ type: 'text', text: 'done' }],
    });
    expect(toMcpTask(view('cancelled')).status).toBe('cancelled');
  });

  it("is completed with the error as the call's result when the call failed (the extension's failed is a JSON-RPC error's)", () => {
    const failed = toMcpTask(
      view('failed', { error: { code: 'UPSTREAM_ERROR', message: 'boom', retryable: false } }),
    );
    expect(failed).toMatchObject({
      status: 'completed',
      statusMessage: 'boom',
      result: { content: [{ type: 'text', text: 'UPSTREAM_ERROR: boom' }], isError: true },
      _meta: { 'dev.switchboard/approval': { status: 'failed' } },
    });
    expect(failed).not.toHaveProperty('error');
  });

  it('is working, with no form, for a caller who may not decide the approval it waits for', () => {
    const task = toMcpTask(view('waiting_approval'), {
      ...pending,
      refusal: 'deciding needs the role ops',
      approvers: 'holders of the role ops; admins',
    });
    expect(task.status).toBe('working');
    expect(task).not.toHaveProperty('inputRequests');
    expect(task.statusMessage).toContain(
      'You may not decide it yourself (deciding needs the role ops)',
    );
    expect(task.statusMessage).toContain('holders of the role ops; admins');
  });
});

describe('McpTasks', () => {
  it('decides the pending approval as the caller with the answer of tasks/update', async () => {
    const { tasks, asked } = setup();
    await tasks.update(ann, TASK, {
      decision: { action: 'accept', content: { decision: 'approve' } },
    });
    expect(asked.find((a) => a.subject.endsWith('approval.decide'))?.data).toEqual({
      taskId: TASK,
      approvalId: APPROVAL,
      decision: 'approve',
    });
  });

  it('takes a declined form as a rejection with the reason the elicitation path gives', async () => {
    const { tasks, asked } = setup();
    await tasks.update(ann, TASK, { decision: { action: 'decline' } });
    expect(asked.find((a) => a.subject.endsWith('approval.decide'))?.data).toMatchObject({
      decision: 'reject',
      reason: 'declined in the MCP client',
    });
  });

  it('refuses a malformed answer naming the field, deciding nothing', async () => {
    const { tasks, asked } = setup();
    await expect(tasks.update(ann, TASK, {})).rejects.toThrow(/inputResponses\.decision/);
    await expect(
      tasks.update(ann, TASK, { decision: { action: 'accept', content: { decision: 'maybe' } } }),
    ).rejects.toThrow(/inputResponses\.decision\.content\.decision/);
    expect(asked.filter((a) => a.subject.endsWith('approval.decide'))).toEqual([]);
  });

  it("answers another's task (NOT_FOUND from the orchestrator) as an unknown task on every method", async () => {
    const { tasks, asked } = setup({ notFound: true });
    const answer = { decision: { action: 'accept', content: { decision: 'approve' } } };
    for (const attempt of [
      tasks.get(ann, TASK),
      tasks.update(ann, TASK, answer),
      tasks.cancel(ann, TASK),
    ]) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ code: -32602, message: `unknown task ${TASK}` });
    }
    expect(asked).toEqual([]);
  });

  it('shows the waiting task as working, with no form, to a caller the policy does not let decide', async () => {
    const fourEyes = {
      ...pending,
      requestedBy: 'ann',
      policy: { approvers: { requester: false, roles: ['ops'], users: [] }, allowSelf: false },
    } as unknown as Approvals.ApprovalView;
    const { tasks } = setup({ pending: [fourEyes] });
    const task = await tasks.get(ann, TASK);
    expect(task.status).toBe('working');
    expect(task).not.toHaveProperty('inputRequests');
    expect(task.statusMessage).toContain('does not let the requester approve their own call');
    // An approver of the policy sees the form.
    const ops = await tasks.get({ userId: 'olga', role: 'ops' } as Actor, TASK);
    expect(ops).toMatchObject({ status: 'input_required', inputRequests: { decision: {} } });
  });

  it('says so when the task waits for no decision', async () => {
    const { tasks, asked } = setup({ view: view('running'), pending: [] });
    await expect(
      tasks.update(ann, TASK, { decision: { action: 'accept', content: { decision: 'approve' } } }),
    ).rejects.toThrow(`task ${TASK} waits for no decision`);
    expect(asked.filter((a) => a.subject.endsWith('approval.decide'))).toEqual([]);
  });
});
