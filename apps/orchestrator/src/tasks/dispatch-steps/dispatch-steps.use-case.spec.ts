import { Approvals, DomainError, type Tasks } from '@switchboard/contracts';
import type { DispatchContext, StepResult } from '../../dispatch/dispatch.context.js';
import type { StepDispatcher } from '../../dispatch/step-dispatcher.js';
import type { CallGate, CallVerdict, HeldCall } from '../ports/call-gate.port.js';
import type { RunSource } from '../ports/run-source.port.js';
import type { ContentScreen } from '../ports/content-screen.port.js';
import type { TaskRun } from '../run-task/task-run.js';
import type { StepRecord, TaskRepository } from '../task.repository.js';
import { DispatchStepsUseCase, type StepLedger } from './dispatch-steps.use-case.js';
import { LIVE_RUN } from '../run-task/live-run.source.js';

const TASK = '11111111-1111-4111-8111-111111111111';
const policy = Approvals.ApprovalPolicy.parse({});

const action = (id: string, target: string, input: Record<string, unknown>): Tasks.PlanAction => ({
  id,
  kind: 'tool',
  target,
  input,
  description: `call ${target}`,
});

/**
 * A call gate as the core sees it (the approvals feature's is specified with the dispatcher in
 * approvals/): the targets in `gated` wait for a decision; a verdict (or an error) given by step id is
 * what was decided. Records what it is asked, in order.
 */
function fakeGate(opts: { gated?: string[]; verdicts?: Record<string, CallVerdict | Error> }) {
  const held: HeldCall[] = [];
  const asked: { kind: 'agent' | 'tool'; action: Tasks.PlanAction; asked: unknown }[] = [];
  const gate: CallGate = {
    policyOf: (_run, a) => (opts.gated?.includes(a.target) ? policy : undefined),
    check: async (run, a) => {
      const decided = opts.verdicts?.[a.id];
      if (decided instanceof Error) throw decided;
      if (decided) return decided;
      const needs = gate.policyOf(run, a);
      return needs ? { kind: 'ask', policy: needs } : { kind: 'free' };
    },
    hold: async (_run, calls) => void held.push(...calls),
    askAgent: async (_run, a, q) => void asked.push({ kind: 'agent', action: a, asked: q }),
    askTool: async (_run, a, q) => void asked.push({ kind: 'tool', action: a, asked: q }),
  };
  return { gate, held, asked };
}

function setup(
  opts: {
    gated?: string[];
    verdicts?: Record<string, CallVerdict | Error>;
    results?: Record<string, StepResult>;
  } = {},
) {
  const dispatched: { target: string; input: unknown; approval?: unknown; answer?: unknown }[] = [];
  const recorded: StepRecord[] = [];
  // What the stored task saw, in order: the waits on remote agents, the dispatches and the steps.
  const log: string[] = [];
  const { gate, held, asked } = fakeGate(opts);
  const useCase = new DispatchStepsUseCase(
    {
      recordStep: async (r: StepRecord) => {
        recorded.push(r);
        log.push(`stored ${r.action.target}${r.remote ? ' (back to running)' : ''}`);
      },
      awaitRemote: async (taskId: string, tenantId: string) =>
        void log.push(`waiting_remote ${taskId === TASK ? 'its task' : taskId} in ${tenantId}`),
    } as unknown as TaskRepository,
    {
      dispatch: async (a: Tasks.PlanAction, input: unknown, ctx: DispatchContext) => {
        log.push(`dispatched ${a.target}`);
        dispatched.push({
          target: a.target,
          input,
          ...(ctx.approval ? { approval: ctx.approval } : {}),
          ...(ctx.answer ? { answer: ctx.answer } : {}),
        });
        return (
          opts.results?.[a.id] ?? {
            ok: true,
            output: a.target === 'calculator' ? 391 : { id: 'n1' },
            durationMs: 1,
          }
        );
      },
    } as unknown as StepDispatcher,
    { screenStep: () => undefined } as unknown as ContentScreen,
    gate,
  );
  const run = {
    submission: {
      taskId: TASK,
      actor: { userId: 'ann', role: 'user' },
      request: { task: 't' },
    },
    events: {
      emit: () => undefined,
      commit: async <T>(statement: (b: undefined) => Promise<T>) => statement(undefined),
    },
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    retry: {},
    plan: [],
    resumed: false,
    stepsStored: new Set(),
    source: LIVE_RUN,
  } as unknown as TaskRun;
  const ledger: StepLedger = { steps: [], outputs: new Map(), stored: new Map() };
  return { useCase, run, ledger, held, asked, dispatched, recorded, log };
}

const demo = [
  action('s1', 'calculator', { expression: '17 * 23' }),
  action('s2', 'notes.add', { content: '$steps.s1.output' }),
  action('s3', 'mail.send', { to: 'x@example.com' }),
];
const gated = ['notes.add', 'mail.send'];

describe(DispatchStepsUseCase.name, () => {
  it('runs what the gate lets go, then stops before the first call that must wait, holding the round', async () => {
    const { useCase, run, ledger, held, dispatched } = setup({ gated });
    expect(await useCase.run(run, { kind: 'actions', actions: demo }, ledger)).toBe('paused');
    expect(dispatched.map((d) => d.target)).toEqual(['calculator']);
    // Both calls of the round that need a decision are held at once, with resolved arguments.
    expect(held).toEqual([
      { action: demo[1], input: { content: 391 }, policy },
      { action: demo[2], input: { to: 'x@example.com' }, policy },
    ]);
    expect(run.plan.map((a) => a.id)).toEqual(['s1']);
  });

  it('an evaluation dispatches a call its source says may run live, through the gate; refuses the rest', async () => {
    const { useCase, run, ledger, dispatched, recorded } = setup({ gated: ['mail.send'] });
    // an evaluation's source: every step answered by it, time.now allowed live, nothing recorded
    const source: Partial<RunSource> = {
      answersStep: () => true,
      recordedStep: (_i, a) =>
        a.target === 'time.now' || a.target === 'mail.send'
          ? { kind: 'live' }
          : {
              kind: 'refused',
              error: { code: 'NOT_FOUND', message: 'not recorded', retryable: false },
            },
    };
    const evaluation = { ...run, source } as unknown as TaskRun;
    const actions = [
      action('t1', 'time.now', {}),
      action('n1', 'notes.add', { content: 'x' }),
      action('m1', 'mail.send', { to: 'x@example.com' }),
    ];
    const groups = ['a', 'b', 'c'];
    expect(await useCase.run(evaluation, { kind: 'actions', actions, groups }, ledger)).toBe(
      'paused',
    );
    expect(dispatched.map((d) => d.target)).toEqual(['time.now']);
    expect(recorded.map((r) => [r.action.target, r.status])).toEqual([
      ['time.now', 'completed'],
      ['notes.add', 'failed'],
    ]);
  });

  it('does not hold a later call that needs the output of a step not run yet', async () => {
    const s2 = action('s2', 'notes.add', { content: 'x' });
    const s4 = action('s4', 'mail.send', { body: '$steps.s2.output' });
    const { useCase, run, ledger, held } = setup({ gated });
    expect(await useCase.run(run, { kind: 'actions', actions: [s2, s4] }, ledger)).toBe('paused');
    expect(held.map((h) => h.action.id)).toEqual(['s2']);
  });

  it('runs a decided call with the arguments and the decision the gate gives', async () => {
    const approval = { id: '99999999-9999-4999-8999-999999999999', argsHash: 'h' };
    const answer = { approvalId: approval.id, argsHash: 'h', input: { ok: true } };
    const { useCase, run, ledger, held, dispatched } = setup({
      gated,
      verdicts: { s2: { kind: 'run', input: { content: 'edited' }, approval, answer } },
    });
    expect(await useCase.run(run, { kind: 'actions', actions: demo.slice(0, 2) }, ledger)).toBe(
      'done',
    );
    expect(dispatched[1]).toEqual({
      target: 'notes.add',
      input: { content: 'edited' },
      approval,
      answer,
    });
    expect(held).toEqual([]);
  });

  it('a refused call fails its step with the reason and is never dispatched', async () => {
    const error = new DomainError('FORBIDDEN', 'the call of mail.send was rejected').toBody();
    const { useCase, run, ledger, dispatched, recorded } = setup({
      gated,
      verdicts: { s3: { kind: 'refused', error } },
    });
    expect(await useCase.run(run, { kind: 'actions', actions: [demo[2]!] }, ledger)).toBe('done');
    expect(dispatched).toEqual([]);
    expect(recorded[0]).toMatchObject({ status: 'failed', error: { code: 'FORBIDDEN' } });
    expect(ledger.steps[0]?.error).toEqual(error);
  });

  it('a gate that throws ends the round with its error (an approval expired where expiry fails)', async () => {
    const { useCase, run, ledger, recorded } = setup({
      gated,
      verdicts: { s3: new DomainError('TIMEOUT', 'nobody decided') },
    });
    await expect(
      useCase.run(run, { kind: 'actions', actions: [demo[2]!] }, ledger),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(recorded).toEqual([]);
  });

  it('a call still waiting pauses again, holding nothing new', async () => {
    const { useCase, run, ledger, held, dispatched } = setup({
      gated,
      verdicts: { s3: { kind: 'wait' } },
    });
    expect(await useCase.run(run, { kind: 'actions', actions: [demo[2]!] }, ledger)).toBe('paused');
    expect(held).toEqual([]);
    expect(dispatched).toEqual([]);
  });

  it("a delegated agent's or a tool's question becomes a decision to wait for, the step not stored", async () => {
    const ask = action('s1', 'researcher', { q: 'NATS' });
    // How the step dispatcher reports a question: not ok, with what was asked.
    const asking = new DomainError('UPSTREAM_ERROR', 'asks').toBody();
    const inputRequired = { question: 'which cluster?', remoteTaskId: 'r1' };
    const agent = setup({
      results: { s1: { ok: false, error: asking, durationMs: 1, inputRequired } },
    });
    expect(
      await agent.useCase.run(agent.run, { kind: 'actions', actions: [ask] }, agent.ledger),
    ).toBe('paused');
    expect(agent.asked).toEqual([{ kind: 'agent', action: ask, asked: inputRequired }]);
    expect(agent.recorded).toEqual([]);
    expect(agent.run.underWay).toBeUndefined();

    const toolQuestion = { question: 'which folder?', input: {}, inputSchema: {} };
    const tool = setup({
      results: { s1: { ok: false, error: asking, durationMs: 1, toolQuestion } },
    });
    expect(await tool.useCase.run(tool.run, { kind: 'actions', actions: [ask] }, tool.ledger)).toBe(
      'paused',
    );
    expect(tool.asked).toEqual([{ kind: 'tool', action: ask, asked: toolQuestion }]);
    expect(tool.recorded).toEqual([]);
  });

  it("a delegation's step: the task is stored waiting on the remote agent before the request goes out, and running again with the step", async () => {
    const delegate: Tasks.PlanAction = {
      ...action('s2', 'researcher', { message: 'NATS?' }),
      kind: 'agent',
    };
    const failing = new DomainError('UPSTREAM_ERROR', 'the agent failed').toBody();
    const { useCase, run, ledger, log, recorded } = setup({
      results: { s3: { ok: false, error: failing, durationMs: 1 } },
    });
    const again: Tasks.PlanAction = { ...delegate, id: 's3' };
    const actions = [demo[0]!, delegate, again];
    expect(await useCase.run(run, { kind: 'actions', actions }, ledger)).toBe('done');
    expect(log).toEqual([
      'dispatched calculator',
      'stored calculator',
      'waiting_remote its task in default',
      'dispatched researcher',
      'stored researcher (back to running)',
      // A failed delegation leaves the wait in its step's statement too.
      'waiting_remote its task in default',
      'dispatched researcher',
      'stored researcher (back to running)',
    ]);
    expect(recorded.map((r) => r.status)).toEqual(['completed', 'completed', 'failed']);
  });

  it("a delegated agent's question pauses the task from its wait, the step not stored", async () => {
    const delegate: Tasks.PlanAction = {
      ...action('s1', 'researcher', { message: 'NATS?' }),
      kind: 'agent',
    };
    const asking = new DomainError('UPSTREAM_ERROR', 'asks').toBody();
    const inputRequired = { question: 'which cluster?', remoteTaskId: 'r1' };
    const { useCase, run, ledger, log } = setup({
      results: { s1: { ok: false, error: asking, durationMs: 1, inputRequired } },
    });
    expect(await useCase.run(run, { kind: 'actions', actions: [delegate] }, ledger)).toBe('paused');
    // The pause (the approval gate's) takes the task from waiting_remote to waiting_approval.
    expect(log).toEqual(['waiting_remote its task in default', 'dispatched researcher']);
  });
});
