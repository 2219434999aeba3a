import { describe, expect, it, jest } from '@jest/globals';
import { Approvals, type Tasks, type Tools } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import { approvalArgsHash } from '@switchboard/runtime';
import type { TaskRunView } from '../tasks/index.js';
import { ApprovalGate } from './approval.gate.js';
import type { ApprovalMetrics } from './approval.metrics.js';
import type {
  ApprovalRepository,
  ApprovalRequestRecord,
  StoredApproval,
} from './approval.repository.js';

const TASK = '11111111-1111-4111-8111-111111111111';
const TOOL = 'modern__deploy';
const INPUT = { env: 'staging' };
const ASKED: Tools.ToolInputRequired = {
  question: 'Deploy to staging?',
  input: { responses: { confirm: { confirm: true } }, requestState: '{"env":"staging"}' },
  inputSchema: { type: 'object', properties: { responses: { type: 'object' } } },
};

const call = (id = 's1'): Tasks.PlanAction => ({
  id,
  kind: 'tool',
  target: TOOL,
  input: INPUT,
  description: 'deploy',
});

/** The stored approval of the server's question (`runInput`: the answer, edited or not). */
function question(
  status: Approvals.ApprovalStatus,
  runInput: Record<string, unknown> = ASKED.input,
  n = 1,
): StoredApproval {
  const argsHash = approvalArgsHash(TOOL, ASKED.input);
  return {
    tenantId: 'default',
    view: {
      approvalId: `9999999${n}-9999-4999-8999-999999999999`,
      taskId: TASK,
      stepId: `s1#input-${n}`,
      kind: 'tool',
      target: TOOL,
      input: ASKED.input,
      argsHash,
      reason: ASKED.question,
      policy: Approvals.REQUESTED_APPROVAL_POLICY,
      status,
      requestedBy: 'ann',
      requestedAt: '2026-11-24T10:00:00.000Z',
      expiresAt: '2026-11-25T10:00:00.000Z',
      ...(status !== 'pending' ? { decidedBy: 'ann', comment: 'not today' } : {}),
    },
    runInput,
    approvedHash: status === 'approved' ? approvalArgsHash(TOOL, runInput) : undefined,
  };
}

function setup(decided?: StoredApproval[]) {
  const held: ApprovalRequestRecord[] = [];
  const repository = {
    request: async (records: ApprovalRequestRecord[]) => {
      held.push(...records);
      return records.map(() => question('pending'));
    },
    ofTask: async () => new Map((decided ?? []).map((d) => [d.view.stepId, d])),
  } as unknown as ApprovalRepository;
  const gate = new ApprovalGate(
    repository,
    { record: async () => undefined } as unknown as AuditTrail,
    { requested: { inc: jest.fn() } } as unknown as ApprovalMetrics,
  );
  const run = {
    submission: { taskId: TASK, actor: { userId: 'ann', role: 'user' }, request: { task: 't' } },
    events: { emit: () => undefined },
    retry: {},
    resumed: decided !== undefined,
    offered: new Map(),
  } as unknown as TaskRunView;
  return { gate, run, held };
}

describe('ApprovalGate: questions of a tool’s MCP server (input_required)', () => {
  it('asks a person: an approval of the task for the question, the server’s form as its schema', async () => {
    const { gate, run, held } = setup();
    await gate.askTool(run, call(), ASKED);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({
      taskId: TASK,
      action: { id: 's1#input-1', kind: 'tool', target: TOOL, description: ASKED.question },
      input: ASKED.input,
      argsHash: approvalArgsHash(TOOL, ASKED.input),
      // A tool without a policy: the requester decides.
      policy: Approvals.REQUESTED_APPROVAL_POLICY,
      inputSchema: ASKED.inputSchema,
    });
  });

  it('numbers a second question of the same call after the first', async () => {
    const { gate, run, held } = setup([question('approved')]);
    await gate.askTool(run, call(), ASKED);
    expect(held[0]!.action.id).toBe('s1#input-2');
  });

  it('runs a tool call without a policy freely when nothing was asked', async () => {
    const { gate, run } = setup([]);
    await expect(gate.check(run, call(), INPUT)).resolves.toEqual({ kind: 'free' });
  });

  it('waits while the question is open', async () => {
    const { gate, run } = setup([question('pending')]);
    await expect(gate.check(run, call(), INPUT)).resolves.toEqual({ kind: 'wait' });
  });

  it("calls again with the approved answer — the approver's edit, under the hash approved, the server's state as asked", async () => {
    const edited = { responses: { confirm: { confirm: true, note: 'go' } } };
    const answered = question('approved', edited);
    const { gate, run } = setup([answered]);
    const gate1 = await gate.check(run, call(), INPUT);
    expect(gate1).toEqual({
      kind: 'run',
      input: INPUT,
      answer: {
        approvalId: answered.view.approvalId,
        argsHash: approvalArgsHash(TOOL, edited),
        input: edited,
        requestState: '{"env":"staging"}',
      },
    });
  });

  it('fails the call when the question is rejected (FORBIDDEN, with the reason)', async () => {
    const { gate, run } = setup([question('rejected')]);
    const gate1 = await gate.check(run, call(), INPUT);
    expect(gate1).toMatchObject({ kind: 'refused', error: { code: 'FORBIDDEN' } });
    expect(gate1.kind === 'refused' && gate1.error.message).toContain('not today');
  });
});
