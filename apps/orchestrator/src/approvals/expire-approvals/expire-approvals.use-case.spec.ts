import { jest } from '@jest/globals';
import { Approvals } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { TaskCore } from '../../tasks/index.js';
import type { ApprovalMetrics } from '../approval.metrics.js';
import type { ApprovalRepository, StoredApproval } from '../approval.repository.js';
import type { TaskResumer } from '../task-resumer.js';
import { ExpireApprovalsUseCase } from './expire-approvals.use-case.js';

const TASK_A = '11111111-1111-4111-8111-111111111111';
const TASK_B = '33333333-3333-4333-8333-333333333333';

function expired(taskId: string, id: string): StoredApproval {
  return {
    tenantId: 'default',
    view: {
      approvalId: id,
      taskId,
      stepId: 's1',
      kind: 'tool',
      target: 'mail.send',
      input: {},
      argsHash: 'h',
      reason: 'r',
      policy: Approvals.ApprovalPolicy.parse({ expiresInMs: 1_000 }),
      status: 'expired',
      requestedBy: 'ann',
      requestedAt: '2026-11-24T10:00:00.000Z',
      expiresAt: '2026-11-24T10:00:01.000Z',
    },
    runInput: {},
    approvedHash: undefined,
  };
}

function setup(due: StoredApproval[], stalled: string[] = []) {
  const resumed: string[] = [];
  const audits: Record<string, unknown>[] = [];
  const sweeper = new ExpireApprovalsUseCase(
    { expireDue: async () => due } as unknown as ApprovalRepository,
    { stalledWaiting: async () => stalled } as unknown as TaskCore,
    { resumeIfDecided: async (t: string) => void resumed.push(t) } as unknown as TaskResumer,
    { record: async (r: Record<string, unknown>) => void audits.push(r) } as unknown as AuditTrail,
    {
      decided: { inc: jest.fn() },
      secondsToDecision: { observe: jest.fn() },
    } as unknown as ApprovalMetrics,
    { APPROVAL_SWEEP_MS: 1_000 },
    { warn: jest.fn() } as unknown as Logger,
  );
  return { sweeper, resumed, audits };
}

describe(ExpireApprovalsUseCase.name, () => {
  it('records each expiry once and resumes each task it touched once', async () => {
    const { sweeper, resumed, audits } = setup([
      expired(TASK_A, '00000000-0000-4000-8000-000000000001'),
      expired(TASK_A, '00000000-0000-4000-8000-000000000002'),
      expired(TASK_B, '00000000-0000-4000-8000-000000000003'),
    ]);
    await sweeper.sweep();
    expect(resumed).toEqual([TASK_A, TASK_B]);
    expect(audits.map((a) => [a['action'], a['onceKey']])).toEqual([
      ['approval.expired', 'approval:00000000-0000-4000-8000-000000000001:decided'],
      ['approval.expired', 'approval:00000000-0000-4000-8000-000000000002:decided'],
      ['approval.expired', 'approval:00000000-0000-4000-8000-000000000003:decided'],
    ]);
  });

  it('sends a lost resume again: a waiting task with nothing pending', async () => {
    const { sweeper, resumed } = setup([], [TASK_B]);
    await sweeper.sweep();
    expect(resumed).toEqual([TASK_B]);
  });

  it('does nothing when nothing is due', async () => {
    const { sweeper, resumed, audits } = setup([]);
    await sweeper.sweep();
    expect([resumed, audits]).toEqual([[], []]);
  });
});
