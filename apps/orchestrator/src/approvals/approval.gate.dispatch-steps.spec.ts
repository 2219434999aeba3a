import { jest } from '@jest/globals';
import { Approvals, type Tasks, type Tools } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import { approvalArgsHash } from '@switchboard/runtime';
import type { DispatchContext } from '../dispatch/dispatch.context.js';
import type { StepDispatcher } from '../dispatch/step-dispatcher.js';
import type { Guardrails } from '../guardrails/guardrails.js';
import {
  DispatchStepsUseCase,
  type StepLedger,
} from '../tasks/dispatch-steps/dispatch-steps.use-case.js';
import { LIVE_RUN } from '../tasks/run-task/live-run.source.js';
import type { TaskRun } from '../tasks/run-task/task-run.js';
import type { StepRecord, TaskRepository } from '../tasks/task.repository.js';
import { ApprovalGate } from './approval.gate.js';
import type { ApprovalMetrics } from './approval.metrics.js';
import type {
  ApprovalRepository,
  ApprovalRequestRecord,
  StoredApproval,
} from './approval.repository.js';

const TASK = '11111111-1111-4111-8111-111111111111';
const policy = Approvals.ApprovalPolicy.parse({});

const tool = (name: string, approval?: Approvals.ApprovalPolicy): Tools.ManifestTool => ({
  name,
  title: name,
  description: name,
  provider: 'p',
  inputSchema: { type: 'object' },
  idempotent: false,
  ...(approval ? { approval } : {}),
});

const action = (id: string, target: string, input: Record<string, unknown>): Tasks.PlanAction => ({
  id,
  kind: 'tool',
  target,
  input,
  description: `call ${target}`,
});

function setup(opts: { decided?: StoredApproval[]; resumed?: boolean; asked?: string[] } = {}) {
  const held: ApprovalRequestRecord[] = [];
  const dispatched: { target: string; input: unknown; approval?: unknown }[] = [];
  const recorded: StepRecord[] = [];
  const emitted: string[] = [];
  const repository = {
    request: async (records: ApprovalRequestRecord[]) => {
      held.push(...records);
      return records.map((r, i) => ({
        view: {
          ...decidedView(r.action, 'pending'),
          approvalId: `00000000-0000-4000-8000-00000000000${i}`,
        },
        runInput: r.input,
        approvedHash: undefined,
      }));
    },
    ofTask: async () => new Map((opts.decided ?? []).map((d) => [d.view.stepId, d])),
  } as unknown as ApprovalRepository;
  const gate = new ApprovalGate(
    repository,
    { record: async () => undefined } as unknown as AuditTrail,
    { requested: { inc: jest.fn() } } as unknown as ApprovalMetrics,
  );
  const useCase = new DispatchStepsUseCase(
    { recordStep: async (r: StepRecord) => void recorded.push(r) } as unknown as TaskRepository,
    {
      dispatch: async (a: Tasks.PlanAction, input: unknown, ctx: DispatchContext) => {
        dispatched.push({
          target: a.target,
          input,
          ...(ctx.approval ? { approval: ctx.approval } : {}),
        });
        return { ok: true, output: a.target === 'calculator' ? 391 : { id: 'n1' }, durationMs: 1 };
      },
    } as unknown as StepDispatcher,
    { screenStep: () => undefined } as unknown as Guardrails,
    gate,
  );
  const run = {
    submission: {
      taskId: TASK,
      actor: { userId: 'ann', role: 'user' },
      request: { task: 't', ...(opts.asked ? { approval: { tools: opts.asked } } : {}) },
    },
    events: {
      emit: (name: string) => void emitted.push(name),
      commit: async <T>(statement: (b: undefined) => Promise<T>) => statement(undefined),
    },
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    retry: {},
    plan: [],
    resumed: opts.resumed ?? false,
    stepsStored: new Set(),
    source: LIVE_RUN,
    offered: new Map([
      ['calculator', tool('calculator')],
      ['notes.add', tool('notes.add', policy)],
      ['mail.send', tool('mail.send', policy)],
    ]),
  } as unknown as TaskRun;
  const ledger: StepLedger = { steps: [], outputs: new Map(), stored: new Map() };
  return { useCase, run, ledger, held, dispatched, recorded, emitted };
}

function decidedView(
  a: Tasks.PlanAction,
  status: Approvals.ApprovalStatus,
): Approvals.ApprovalView {
  return {
    approvalId: '99999999-9999-4999-8999-999999999999',
    taskId: TASK,
    stepId: a.id,
    kind: 'tool',
    target: a.target,
    input: a.input,
    argsHash: approvalArgsHash(a.target, a.input),
    reason: a.description,
    policy,
    status,
    requestedBy: 'ann',
    requestedAt: '2026-11-24T10:00:00.000Z',
    expiresAt: '2026-11-25T10:00:00.000Z',
    ...(status !== 'pending' ? { decidedBy: 'ann', comment: 'no' } : {}),
  };
}

const demo = [
  action('s1', 'calculator', { expression: '17 * 23' }),
  action('s2', 'notes.add', { content: '$steps.s1.output' }),
  action('s3', 'mail.send', { to: 'x@example.com' }),
];

// The gate as the task core's dispatcher meets it (through the CallGate port): which calls of a round
// wait, what is stored for them, and how a decision made before the run is used.
describe('ApprovalGate: the calls of a round, as the dispatcher meets them', () => {
  it('runs what needs no approval, then stops before the first call that does, asking for the round', async () => {
    const { useCase, run, ledger, held, dispatched, emitted } = setup();
    expect(await useCase.run(run, { kind: 'actions', actions: demo }, ledger)).toBe('paused');
    expect(dispatched.map((d) => d.target)).toEqual(['calculator']);
    // Both calls of the round that need one are asked for at once, with resolved arguments.
    expect(held.map((h) => [h.action.id, h.input])).toEqual([
      ['s2', { content: 391 }],
      ['s3', { to: 'x@example.com' }],
    ]);
    expect(held[0]?.argsHash).toBe(approvalArgsHash('notes.add', { content: 391 }));
    expect(emitted.filter((e) => e === 'orchestrator.approval.requested')).toHaveLength(2);
    expect(run.plan.map((a) => a.id)).toEqual(['s1']);
  });

  it('a request adds tools to approve: a tool without a policy waits too', async () => {
    const { useCase, run, ledger, held, dispatched } = setup({ asked: ['calculator'] });
    expect(await useCase.run(run, { kind: 'actions', actions: [demo[0]!] }, ledger)).toBe('paused');
    expect(dispatched).toEqual([]);
    expect(held.map((h) => h.action.target)).toEqual(['calculator']);
  });

  it('resumed with the approval decided, runs the call under it with the approved arguments', async () => {
    const s2 = { ...demo[1]!, input: { content: 391 } };
    const approved: StoredApproval = {
      tenantId: 'default',
      view: decidedView(s2, 'approved'),
      runInput: { content: 'edited' },
      approvedHash: approvalArgsHash('notes.add', { content: 'edited' }),
    };
    const { useCase, run, ledger, dispatched, emitted } = setup({
      resumed: true,
      decided: [approved],
    });
    expect(await useCase.run(run, { kind: 'actions', actions: demo.slice(0, 2) }, ledger)).toBe(
      'done',
    );
    expect(dispatched[1]).toEqual({
      target: 'notes.add',
      input: { content: 'edited' },
      approval: { id: approved.view.approvalId, argsHash: approved.approvedHash },
    });
    expect(emitted).toContain('orchestrator.approval.decided');
  });

  it('a rejected call fails its step with the reason and is never dispatched', async () => {
    const s3 = demo[2]!;
    const { useCase, run, ledger, dispatched, recorded } = setup({
      resumed: true,
      decided: [
        {
          tenantId: 'default',
          view: decidedView(s3, 'rejected'),
          runInput: s3.input,
          approvedHash: undefined,
        },
      ],
    });
    expect(await useCase.run(run, { kind: 'actions', actions: [s3] }, ledger)).toBe('done');
    expect(dispatched).toEqual([]);
    expect(recorded[0]).toMatchObject({ status: 'failed', error: { code: 'FORBIDDEN' } });
    expect(ledger.steps[0]?.error?.message).toContain('rejected by ann: no');
  });

  it('an approval that expired where expiry fails the task throws TIMEOUT', async () => {
    const s3 = demo[2]!;
    const view = {
      ...decidedView(s3, 'expired'),
      policy: { ...policy, onExpiry: 'fail' as const },
    };
    const { useCase, run, ledger } = setup({
      resumed: true,
      decided: [{ tenantId: 'default', view, runInput: s3.input, approvedHash: undefined }],
    });
    await expect(
      useCase.run(run, { kind: 'actions', actions: [s3] }, ledger),
    ).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });

  it('still pending when resumed (a lost resume sent again): pauses again, asking nothing new', async () => {
    const s3 = demo[2]!;
    const { useCase, run, ledger, held, dispatched } = setup({
      resumed: true,
      decided: [
        {
          tenantId: 'default',
          view: decidedView(s3, 'pending'),
          runInput: s3.input,
          approvedHash: undefined,
        },
      ],
    });
    expect(await useCase.run(run, { kind: 'actions', actions: [s3] }, ledger)).toBe('paused');
    expect(held).toEqual([]);
    expect(dispatched).toEqual([]);
  });
});
