import { describe, expect, it, jest } from '@jest/globals';
import { type Actor, Approvals, type Tasks } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import { approvalArgsHash } from '@switchboard/runtime';
import type { AgentDirectory, DirectoryAgent, TaskRunView } from '../tasks/index.js';
import { ApprovalGate, DEFAULT_REPLY } from './approval.gate.js';
import type { ApprovalMetrics } from './approval.metrics.js';
import type {
  ApprovalRepository,
  ApprovalRequestRecord,
  StoredApproval,
} from './approval.repository.js';

const TASK = '11111111-1111-4111-8111-111111111111';
const FINANCE = Approvals.ApprovalPolicy.parse({
  approvers: { requester: false, roles: ['finance'] },
  allowSelf: false,
});
const INPUT = { message: 'pay invoice 42' };

const delegation = (id = 's1', target = 'billing'): Tasks.PlanAction => ({
  id,
  kind: 'agent',
  target,
  input: INPUT,
  description: `delegate to ${target}`,
});

/** A stored approval of `stepId` (`runInput`: what the call runs with). */
function stored(
  stepId: string,
  status: Approvals.ApprovalStatus,
  runInput: Record<string, unknown> = INPUT,
): StoredApproval {
  const argsHash = approvalArgsHash('billing', runInput);
  return {
    tenantId: 'default',
    view: {
      approvalId: `9999999${stepId.length}-9999-4999-8999-999999999999`,
      taskId: TASK,
      stepId,
      kind: 'agent',
      target: 'billing',
      input: runInput,
      argsHash,
      reason: 'r',
      policy: FINANCE,
      status,
      requestedBy: 'ann',
      requestedAt: '2026-11-24T10:00:00.000Z',
      expiresAt: '2026-11-25T10:00:00.000Z',
      ...(status !== 'pending' ? { decidedBy: 'fay', comment: 'not this month' } : {}),
    },
    runInput,
    approvedHash: status === 'approved' ? argsHash : undefined,
  };
}

function setup(
  opts: { agents?: DirectoryAgent[]; decided?: StoredApproval[]; asked?: string[] } = {},
) {
  const held: ApprovalRequestRecord[] = [];
  const lists: Actor[] = [];
  const repository = {
    request: async (records: ApprovalRequestRecord[]) => {
      held.push(...records);
      return records.map((r) => stored(r.action.id, 'pending', r.input));
    },
    ofTask: async () => new Map((opts.decided ?? []).map((d) => [d.view.stepId, d])),
  } as unknown as ApprovalRepository;
  const directory: AgentDirectory = {
    list: async (actor) => {
      lists.push(actor);
      return {
        agents: opts.agents ?? [
          { name: 'billing', description: 'pays', approval: FINANCE },
          { name: 'researcher', description: 'reads' },
        ],
      };
    },
  };
  const gate = new ApprovalGate(
    repository,
    { record: async () => undefined } as unknown as AuditTrail,
    { requested: { inc: jest.fn() } } as unknown as ApprovalMetrics,
    undefined,
    undefined,
    directory,
  );
  const run = {
    submission: {
      taskId: TASK,
      actor: { userId: 'ann', role: 'user' },
      request: { task: 't', ...(opts.asked ? { approval: { tools: opts.asked } } : {}) },
    },
    events: { emit: () => undefined },
    retry: {},
    resumed: opts.decided !== undefined,
    offered: new Map(),
  } as unknown as TaskRunView;
  return { gate, run, held, lists };
}

describe(ApprovalGate.name, () => {
  it("asks before a delegation to an agent with a policy, under the agent's policy", async () => {
    const { gate, run, lists } = setup();
    await expect(gate.check(run, delegation(), INPUT)).resolves.toEqual({
      kind: 'ask',
      policy: FINANCE,
    });
    // The round's later calls see it too, and the directory was read once for the run.
    expect(gate.policyOf(run, delegation('s2'))).toEqual(FINANCE);
    await gate.check(run, delegation('s3'), INPUT);
    expect(lists).toEqual([{ userId: 'ann', role: 'user' }]);
  });

  it('lets a delegation to an agent without a policy go, unless the request asks', async () => {
    const { gate, run } = setup();
    await expect(gate.check(run, delegation('s1', 'researcher'), INPUT)).resolves.toEqual({
      kind: 'free',
    });
    const asked = setup({ asked: ['researcher'] });
    await expect(
      asked.gate.check(asked.run, delegation('s1', 'researcher'), INPUT),
    ).resolves.toEqual({ kind: 'ask', policy: Approvals.REQUESTED_APPROVAL_POLICY });
  });

  it("does not take a tool's manifest entry for an agent of the same name", () => {
    const { gate, run } = setup({ agents: [] });
    (run as unknown as { offered: Map<string, unknown> }).offered.set('billing', {
      approval: FINANCE,
    });
    expect(gate.policyOf(run, delegation())).toBeUndefined();
  });

  it('runs an approved delegation under its approval, with the approved arguments', async () => {
    const { gate, run } = setup({ decided: [stored('s1', 'approved')] });
    await expect(gate.check(run, delegation(), INPUT)).resolves.toEqual({
      kind: 'run',
      input: INPUT,
      approval: {
        id: stored('s1', 'approved').view.approvalId,
        argsHash: approvalArgsHash('billing', INPUT),
      },
    });
  });

  it("asks about the agent's question as an approval of its own, with the reply as its input", async () => {
    const { gate, run, held } = setup({ decided: [stored('s1', 'approved')] });
    await gate.askAgent(run, delegation(), {
      question: 'Pay invoice 42 of 1200 EUR?',
      remoteTaskId: 'remote-1',
    });
    expect(held).toHaveLength(1);
    const onTask = { remoteTaskId: 'remote-1', reply: DEFAULT_REPLY };
    expect(held[0]).toMatchObject({
      action: { id: 's1#input-1', kind: 'agent', target: 'billing' },
      input: onTask,
      argsHash: approvalArgsHash('billing', onTask),
      policy: FINANCE,
    });
    expect(held[0]?.action.description).toBe('Pay invoice 42 of 1200 EUR?');
    // Asked again after an answer: the next number.
    const again = setup({ decided: [stored('s1#input-1', 'approved')], agents: [] });
    await again.gate.askAgent(again.run, delegation(), {
      question: 'And invoice 43?',
      remoteTaskId: 'remote-1',
    });
    expect(again.held[0]?.action.id).toBe('s1#input-2');
    // An agent without a policy is asked about under the default one.
    expect(again.held[0]?.policy).toEqual(Approvals.REQUESTED_APPROVAL_POLICY);
  });

  it("goes on with the person's reply once the question is approved, on the agent's task", async () => {
    // The approver wrote only the reply (the question's stored input named the agent's task).
    const reply = { reply: 'yes, pay it' };
    const second = stored('s1#input-2', 'approved', reply);
    second.view.input = { remoteTaskId: 'remote-1', reply: DEFAULT_REPLY };
    const { gate, run } = setup({
      decided: [
        stored('s1', 'approved'),
        stored('s1#input-1', 'approved', { remoteTaskId: 'remote-1', reply: 'no' }),
        second,
      ],
    });
    const gated = await gate.check(run, delegation(), INPUT);
    expect(gated).toEqual({
      kind: 'run',
      input: INPUT,
      approval: {
        id: stored('s1#input-2', 'approved').view.approvalId,
        argsHash: approvalArgsHash('billing', reply),
        answer: { reply: 'yes, pay it', remoteTaskId: 'remote-1' },
      },
    });
  });

  it('waits while the question is open, and refuses the delegation when it is rejected', async () => {
    const open = setup({ agents: [], decided: [stored('s1#input-1', 'pending')] });
    await expect(open.gate.check(open.run, delegation(), INPUT)).resolves.toEqual({
      kind: 'wait',
    });
    const no = setup({ agents: [], decided: [stored('s1#input-1', 'rejected')] });
    const refused = await no.gate.check(no.run, delegation(), INPUT);
    expect(refused).toMatchObject({
      kind: 'refused',
      error: { code: 'FORBIDDEN', message: expect.stringContaining('not this month') },
    });
  });

  it('refuses an answer whose edited input has no reply text', async () => {
    const { gate, run } = setup({
      agents: [],
      decided: [stored('s1#input-1', 'approved', { answer: 42 })],
    });
    await expect(gate.check(run, delegation(), INPUT)).resolves.toMatchObject({
      kind: 'refused',
      error: { code: 'VALIDATION', message: expect.stringContaining('input.reply') },
    });
  });
});
