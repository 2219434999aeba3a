import { jest } from '@jest/globals';
import { DomainError, type Tasks, type Tools } from '@switchboard/contracts';
import type { NatsBus, AuditTrail, RetryBudget } from '@switchboard/messaging';
import type { AgentDirectory, AgentList } from '../ports/agent-directory.port.js';
import { UsageMeter } from './usage-meter.js';
import type { AgentStepRunner } from '../../dispatch/agent-step.runner.js';
import { StepDispatcher } from '../../dispatch/step-dispatcher.js';
import type { StepResult } from '../../dispatch/dispatch.context.js';
import { ToolStepRunner } from '../../dispatch/tool-step.runner.js';
import {
  AgentsUnavailable,
  type PlanDecision,
  type Planner,
  type PlanningState,
} from '../../planning/planner.js';
import type { ThreadHistory } from '../ports/thread-history.port.js';
import { DispatchStepsUseCase } from '../dispatch-steps/dispatch-steps.use-case.js';
import type {
  PlanningRoundRepository,
  StoredRound,
} from '../plan-round/planning-round.repository.js';
import { PlanRoundUseCase } from '../plan-round/plan-round.use-case.js';
import { InMemoryJournal } from '../journal/in-memory.journal.js';
import { TaskEventSequence } from '../task-event.stream.js';
import { BuiltinPlanner } from '../../planning/builtin-planner.js';
import { TaskLoop } from './task-loop.js';
import type {
  PlanningContextProvider,
  PlanningContextRequest,
} from '../context/planning-context.port.js';
import { BLOCKED_PLACEHOLDER, type ContentScreen } from '../ports/content-screen.port.js';
import type { RoundGate } from '../ports/round-gate.port.js';
import type { CallGate } from '../ports/call-gate.port.js';
import type { StepRecord, StoredStep, TaskRepository } from '../task.repository.js';
import type { TaskRun } from './task-run.js';
import type { TaskRunView } from '../ports/task-run.view.js';
import { LIVE_RUN } from './live-run.source.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const MANIFEST: Tools.Manifest = {
  tools: [],
  mode: 'auto',
  generatedAt: new Date().toISOString(),
  cached: false,
};
const action = (
  id: string,
  target = 'calculator',
  input: Record<string, unknown> = {},
): Tasks.PlanAction => ({ id, kind: 'tool', target, input, description: `call ${target}` });

/** A planner answering from a list, recording what it was shown. */
class ScriptedPlanner implements Planner {
  readonly kind = 'llm' as const;
  readonly model = 'fake';
  readonly seen: PlanningState[] = [];
  constructor(
    private readonly decisions: PlanDecision[],
    private readonly promptTokens = 10,
  ) {}
  async next(state: PlanningState): Promise<PlanDecision> {
    this.seen.push(state);
    const d = this.decisions.shift();
    if (!d) throw new Error('planner asked once too often');
    return d;
  }
  estimatePromptTokens(): number {
    return this.promptTokens;
  }
}

/**
 * Blocks any text naming "secret-plan", as a keyword guardrail would, and reports each hit on the
 * run's events where the guardrails do (their own report — audit, log — is guardrails.spec.ts's).
 */
function keywordScreen(): ContentScreen {
  const hit = { stage: 'output', rule: 'disallowed_keywords' } as const;
  const blocks = (text: string) => /secret-plan/i.test(text);
  const report = (run: TaskRunView, stepId?: string) =>
    run.events.emit(
      'orchestrator.guardrail.violation',
      { ...hit, ...(stepId ? { stepId } : {}) },
      'blocked by a guardrail',
    );
  return {
    checkInput: () => undefined,
    block: () => new DomainError('GUARDRAIL', 'the request was blocked by a guardrail'),
    screenAnswer: (run, generated) => {
      if (!blocks(generated)) return undefined;
      report(run);
      return new DomainError('GUARDRAIL', `the reply was blocked by a guardrail (${hit.rule})`);
    },
    screenStep: (run, stepId, value) => {
      if (!blocks(typeof value === 'string' ? value : JSON.stringify(value))) return undefined;
      report(run, stepId);
      return new DomainError(
        'GUARDRAIL',
        `the output of step ${stepId} was blocked by a guardrail (${hit.rule})`,
      );
    },
  };
}

function setup(opts: {
  planner: Planner;
  stored?: StoredRound[];
  storedSteps?: StoredStep[];
  results?: Record<string, StepResult>;
  budget?: number;
  maxSteps?: number;
  /** Tool outputs by tool name: runs steps through the real dispatcher and tool runner. */
  toolOutputs?: Record<string, unknown>;
  directory?: AgentDirectory;
  contextProviders?: PlanningContextProvider[];
}) {
  const manifestRequests: unknown[] = [];
  const events: Tasks.TaskEvent[] = [];
  const jetstream = new InMemoryJournal((e) => void events.push(e));
  const saved: { iteration: number; decision: PlanDecision }[] = [];
  const rounds = {
    list: async () => opts.stored ?? [],
    save: async (_t: string, iteration: number, _p: string, decision: PlanDecision) =>
      void saved.push({ iteration, decision }),
    // A round no model planned is deferred to the next commit: recorded here when it is decided.
    upsert: (_t: string, iteration: number, _p: string, decision: PlanDecision) =>
      void saved.push({ iteration, decision }),
  } as unknown as PlanningRoundRepository;
  const recorded: StepRecord[] = [];
  const repository = {
    recordStep: async (r: StepRecord) => void recorded.push(r),
    awaitRemote: async () => true,
  } as unknown as TaskRepository;
  const dispatched: string[] = [];
  const toolOutputs = opts.toolOutputs;
  const dispatcher = toolOutputs
    ? new StepDispatcher(
        new ToolStepRunner({
          request: async (_c: unknown, req: Tools.ToolCallRequest) => {
            dispatched.push(req.stepId ?? '');
            const output = toolOutputs[req.tool];
            if (output instanceof Error) throw output;
            return { tool: req.tool, output, durationMs: 1, replayed: false };
          },
        } as unknown as NatsBus),
        {} as AgentStepRunner,
      )
    : ({
        dispatch: async (a: Tasks.PlanAction): Promise<StepResult> => {
          dispatched.push(a.id);
          return opts.results?.[a.id] ?? { ok: true, output: { from: a.id }, durationMs: 1 };
        },
      } as unknown as StepDispatcher);
  const audit = { record: jest.fn(async () => undefined) };
  const guardrails = keywordScreen();
  const loop = new TaskLoop(
    {
      request: async (_c: unknown, _p: unknown, o: unknown) => {
        manifestRequests.push(o);
        return MANIFEST;
      },
    } as unknown as NatsBus,
    opts.directory ?? ({ list: async () => ({ agents: [] }) } as AgentDirectory),
    { load: async () => [] } satisfies ThreadHistory,
    rounds,
    new PlanRoundUseCase(
      opts.planner,
      rounds,
      guardrails,
      audit as unknown as AuditTrail,
      {
        refusal: async () => undefined,
        charge: async () => undefined,
      } as unknown as RoundGate,
    ),
    new DispatchStepsUseCase(
      repository,
      dispatcher,
      guardrails,
      // no call here needs a decision (none is offered with a policy, none was decided before)
      { check: async () => ({ kind: 'free' }) } as unknown as CallGate,
    ),
    { MAX_ITERATIONS_PER_TURN: 3, DEFAULT_MAX_STEPS: opts.maxSteps ?? 10 },
    opts.contextProviders,
  );
  const run: TaskRun = {
    submission: {
      taskId: TASK_ID,
      actor: { userId: 'u1', role: 'user' },
      request: { task: 'do it' },
      submittedAt: new Date().toISOString(),
      correlationId: 'c1',
    },
    text: 'do it',
    events: new TaskEventSequence(TASK_ID, 0, 'orchestrator', jetstream, { tenantId: 'default' }),
    startedAt: new Date(),
    planner: opts.planner.kind,
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    retry: { deadline: Date.now() + 60_000, maxOutageMs: 30_000 },
    meter: new UsageMeter(opts.budget ?? 0, undefined),
    plan: [],
    resumed: opts.stored !== undefined || opts.storedSteps !== undefined,
    stepsStored: new Set(),
    source: LIVE_RUN,
  };
  return {
    loop,
    run,
    events,
    saved,
    recorded,
    dispatched,
    audit,
    manifestRequests,
    // The loop's events are stored at the end of each turn, the rest by the finisher's flush.
    go: () =>
      loop
        .run(run, opts.storedSteps ?? [])
        .finally(() => run.events.flush().catch(() => undefined)),
  };
}

const usage = (total: number): Tasks.TokenUsage => ({
  promptTokens: total - 10,
  completionTokens: 10,
  totalTokens: total,
});

describe(TaskLoop.name, () => {
  it('asks the a2a service for agents only when the built-in planner needs one', async () => {
    const asked: string[] = [];
    const directory: AgentDirectory = {
      list: async () => {
        asked.push('list');
        return { agents: [{ name: 'researcher', description: 'finds things' }] };
      },
    };
    // A task that names no agent is planned without the list (here refused: no tool is offered).
    const plain = setup({ planner: new BuiltinPlanner(), directory });
    plain.run.submission.request.task = 'what is 2 * 3';
    expect(await plain.go()).toMatchObject({ status: 'failed', error: { code: 'FORBIDDEN' } });
    expect(asked).toEqual([]);

    const delegating = setup({ planner: new BuiltinPlanner(), directory });
    delegating.run.submission.request.task = 'ask the researcher about NATS';
    await delegating.go();
    expect(asked).toEqual(['list']);
    expect(delegating.dispatched).toHaveLength(1);
  });

  it('asks each planning context provider once, after the manifest, and offers what it gave to every round', async () => {
    const recalled: Tools.RecalledMemory = {
      id: '0b0f6c3e-0c4b-4f55-9a43-2a9a0c1f2b3d',
      namespace: { kind: 'user', key: 'u1' },
      content: 'my favourite number is 7',
      metadata: {},
      writtenBy: { userId: 'u1', taskId: null },
      createdAt: '2026-11-26T10:00:00.000Z',
      updatedAt: '2026-11-26T10:00:00.000Z',
      score: 0.1,
    };
    const asked: PlanningContextRequest[] = [];
    const provider: PlanningContextProvider = {
      provide: async (r) => {
        asked.push(r);
        return { recalled: [recalled] };
      },
    };
    const planner = new ScriptedPlanner([
      { kind: 'actions', actions: [action('r1_a')], usage: usage(20) },
      { kind: 'final', answer: 'done', usage: usage(20) },
    ]);
    const t = setup({ planner, contextProviders: [provider] });
    expect(await t.go()).toEqual({ status: 'completed', result: 'done' });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ taskId: TASK_ID, task: 'do it', actor: { userId: 'u1' } });
    expect(t.manifestRequests).toHaveLength(1);
    expect(planner.seen.map((s) => s.recalled)).toEqual([[recalled], [recalled]]);
  });

  it('stores each decision before acting on it and feeds observations to the next round', async () => {
    const planner = new ScriptedPlanner([
      {
        kind: 'actions',
        actions: [
          action('r1_a'),
          action('r1_b', 'notes.add', { content: '$steps.r1_a.output.from' }),
        ],
        memo: { m: 1 },
        usage: usage(100),
      },
      { kind: 'final', answer: 'done', usage: usage(50) },
    ]);
    const t = setup({ planner });
    expect(await t.go()).toEqual({ status: 'completed', result: 'done' });
    expect(t.saved.map((s) => [s.iteration, s.decision.kind, s.decision.memo])).toEqual([
      [1, 'actions', { m: 1 }],
      [2, 'final', undefined],
    ]);
    expect(t.recorded.map((r) => [r.index, r.action.id, r.status, r.action.input])).toEqual([
      [0, 'r1_a', 'completed', {}],
      [1, 'r1_b', 'completed', { content: 'r1_a' }],
    ]);
    expect(planner.seen[1]!.steps.map((s) => s.action.id)).toEqual(['r1_a', 'r1_b']);
    expect(planner.seen[1]!.rounds.map((r) => r.iteration)).toEqual([1]);
    expect(t.run.meter.total()).toEqual({
      promptTokens: 130,
      completionTokens: 20,
      totalTokens: 150,
    });
  });

  it('resumes: stored decisions are replayed without planning, stored steps are reused without running', async () => {
    const planner = new ScriptedPlanner([{ kind: 'final', answer: 'resumed', usage: usage(40) }]);
    const t = setup({
      planner,
      stored: [
        {
          iteration: 1,
          planner: 'llm',
          decision: {
            kind: 'actions',
            actions: [action('r1_a'), action('r1_b')],
            usage: usage(100),
          },
        },
      ],
      storedSteps: [
        {
          actionId: 'r1_a',
          index: 0,
          status: 'completed',
          output: { from: 'before the crash' },
          error: null,
        },
      ],
    });
    expect(await t.go()).toEqual({ status: 'completed', result: 'resumed' });
    expect(t.dispatched).toEqual(['r1_b']);
    expect(planner.seen).toHaveLength(1);
    expect(planner.seen[0]!.iteration).toBe(2);
    expect(planner.seen[0]!.steps.map((s) => [s.action.id, s.output])).toEqual([
      ['r1_a', { from: 'before the crash' }],
      ['r1_b', { from: 'r1_b' }],
    ]);
    expect(t.saved.map((s) => s.iteration)).toEqual([2]);
    const replayed = t.events
      .filter((e) => e.name === 'orchestrator.planning.completed')
      .map((e) => (e.data as { replayed?: boolean }).replayed);
    expect(replayed).toEqual([true]);
    // The replayed round's tokens still count: they were paid for before the crash.
    expect(t.run.meter.used).toBe(140);
  });

  it("skips the rest of a failed action's group only", async () => {
    const planner = new ScriptedPlanner([
      {
        kind: 'actions',
        actions: [action('p1'), action('p2'), action('solo')],
        groups: ['plan', 'plan', 'call'],
      },
      { kind: 'final', answer: 'ok' },
    ]);
    const failure: StepResult = {
      ok: false,
      error: { code: 'VALIDATION', message: 'bad', retryable: false },
      durationMs: 1,
    };
    const t = setup({ planner, results: { p1: failure } });
    await t.go();
    expect(t.dispatched).toEqual(['p1', 'solo']);
    expect(planner.seen[1]!.steps.map((s) => [s.action.id, s.status])).toEqual([
      ['p1', 'failed'],
      ['solo', 'completed'],
    ]);
  });

  it('ends at MAX_ITERATIONS_PER_TURN, at max_steps and at the token budget, each with its reason', async () => {
    let n = 0;
    const busy = () => ({ kind: 'actions' as const, actions: [action(`a${++n}`)] });
    const iterations = setup({ planner: new ScriptedPlanner([busy(), busy(), busy(), busy()]) });
    expect(await iterations.go()).toMatchObject({
      status: 'failed',
      error: {
        code: 'BUDGET_EXCEEDED',
        message: expect.stringContaining('more than 3 planning rounds'),
      },
    });

    const steps = setup({
      planner: new ScriptedPlanner([
        { kind: 'actions', actions: [action('x'), action('y'), action('z')] },
      ]),
      maxSteps: 2,
    });
    expect(await steps.go()).toMatchObject({
      status: 'failed',
      error: {
        code: 'BUDGET_EXCEEDED',
        message: 'the plan needs 3 steps; the limit is 2 (DEFAULT_MAX_STEPS)',
      },
    });
    expect(steps.dispatched).toEqual([]);

    const tokens = setup({
      planner: new ScriptedPlanner(
        [{ kind: 'actions', actions: [action('x')], usage: usage(90) }],
        20,
      ),
      budget: 100,
    });
    expect(await tokens.go()).toMatchObject({
      status: 'failed',
      error: { code: 'BUDGET_EXCEEDED', message: expect.stringContaining('90 of 100 tokens used') },
    });
    expect(tokens.dispatched).toEqual(['x']);
  });

  it('blocks generated actions that break the output guardrail: nothing runs and nothing generated is stored', async () => {
    const planner = new ScriptedPlanner([
      {
        kind: 'actions',
        actions: [action('leak', 'notes.add', { content: 'the SECRET-PLAN is…' })],
        memo: { transcript: 'the SECRET-PLAN' },
        generatedText: 'the SECRET-PLAN is…',
      },
    ]);
    const t = setup({ planner });
    expect(await t.go()).toMatchObject({
      status: 'failed',
      error: {
        code: 'GUARDRAIL',
        message: 'the reply was blocked by a guardrail (disallowed_keywords)',
      },
    });
    expect(t.dispatched).toEqual([]);
    expect(t.saved).toHaveLength(1);
    expect(t.saved[0]!.decision).toMatchObject({ kind: 'fail' });
    expect(t.saved[0]!.decision.memo).toBeUndefined();
    expect(JSON.stringify(t.events)).not.toMatch(/secret-plan/i);
    expect(t.events.map((e) => e.name)).toContain('orchestrator.guardrail.violation');
  });

  it("blocks a step's output that breaks the output guardrail: the step fails, the planner goes on", async () => {
    const planner = new ScriptedPlanner([
      {
        kind: 'actions',
        actions: [action('r1_get', 'notes.get', { id: 'n1' }), action('r1_time', 'time.now')],
        groups: ['a', 'b'],
      },
      { kind: 'final', answer: 'That note cannot be shown.' },
    ]);
    const t = setup({
      planner,
      toolOutputs: {
        'notes.get': { content: 'the SECRET-PLAN is on page 4' },
        'time.now': { iso: '2026-01-01T00:00:00Z' },
      },
    });
    expect(await t.go()).toEqual({ status: 'completed', result: 'That note cannot be shown.' });
    expect(t.dispatched).toEqual(['r1_get', 'r1_time']);
    expect(JSON.stringify(t.events)).not.toMatch(/secret-plan/i);
    expect(JSON.stringify(t.recorded)).not.toMatch(/secret-plan/i);
    const blocked = {
      code: 'GUARDRAIL',
      message: 'the output of step r1_get was blocked by a guardrail (disallowed_keywords)',
    };
    expect(t.recorded.map((r) => [r.action.id, r.status, r.output, r.error])).toEqual([
      ['r1_get', 'failed', BLOCKED_PLACEHOLDER, expect.objectContaining(blocked)],
      ['r1_time', 'completed', { iso: '2026-01-01T00:00:00Z' }, undefined],
    ]);
    // What the stream shows: the call completed, its output withheld; the step failed.
    expect(t.events.map((e) => e.name)).toEqual([
      'mcp.toolbox.generated',
      'orchestrator.planning.started',
      'orchestrator.planning.completed',
      'orchestrator.step.dispatching',
      'mcp.task.started',
      'orchestrator.guardrail.violation',
      'mcp.task.completed',
      'orchestrator.step.failed',
      'orchestrator.step.dispatching',
      'mcp.task.started',
      'mcp.task.completed',
      'orchestrator.step.completed',
      'orchestrator.planning.started',
    ]);
    expect(t.events.find((e) => e.name === 'mcp.task.completed')!.data).toMatchObject({
      stepId: 'r1_get',
      output: BLOCKED_PLACEHOLDER,
    });
    // The planner saw a GUARDRAIL failure, never the text.
    expect(planner.seen[1]!.steps.map((s) => [s.action.id, s.status, s.error?.code])).toEqual([
      ['r1_get', 'failed', 'GUARDRAIL'],
      ['r1_time', 'completed', undefined],
    ]);
    expect(planner.seen[1]!.steps[0]!.output).toBeUndefined();
  });

  it("screens a tool's error too: one that quotes blocked text becomes the GUARDRAIL error", async () => {
    const planner = new ScriptedPlanner([
      { kind: 'actions', actions: [action('r1_list', 'notes.list')] },
      { kind: 'final', answer: 'no notes then' },
    ]);
    const t = setup({
      planner,
      toolOutputs: {
        'notes.list': new DomainError('UPSTREAM_ERROR', 'upstream said: the Secret-Plan is late'),
      },
    });
    expect(await t.go()).toEqual({ status: 'completed', result: 'no notes then' });
    expect(JSON.stringify(t.events)).not.toMatch(/secret-plan/i);
    expect(JSON.stringify(t.recorded)).not.toMatch(/secret-plan/i);
    expect(
      t.events
        .filter((e) => e.name === 'mcp.task.failed' || e.name === 'orchestrator.step.failed')
        .map((e) => (e.data as { error: { code: string } }).error.code),
    ).toEqual(['GUARDRAIL', 'GUARDRAIL']);
    expect(t.recorded[0]).toMatchObject({ status: 'failed', error: { code: 'GUARDRAIL' } });
    expect(t.recorded[0]!.output).toBeUndefined();
  });

  it('turns a planner failure into the task failure', async () => {
    const t = setup({
      planner: new ScriptedPlanner([
        { kind: 'fail', error: new DomainError('UNSUPPORTED', 'no idea') },
      ]),
    });
    expect(await t.go()).toMatchObject({
      status: 'failed',
      error: { code: 'UNSUPPORTED', message: 'no idea' },
    });
  });

  it('audits a call to a tool the planner was not offered as denied, once, with the tool and the actor', async () => {
    const planner = new ScriptedPlanner([
      {
        kind: 'actions',
        actions: [],
        rejected: [
          { tool: 'admin__debug', reason: 'not offered', notOffered: 'admin__debug' },
          { tool: 'calculator', reason: 'invalid arguments for calculator' },
        ],
      },
      { kind: 'final', answer: 'I cannot do that' },
    ]);
    const t = setup({ planner });
    await t.go();
    const denied = (t.audit.record.mock.calls as unknown as [Record<string, unknown>][])
      .map(([r]) => r)
      .filter((r) => r['outcome'] === 'denied');
    expect(denied).toEqual([
      expect.objectContaining({
        category: 'tool',
        action: 'tool.call',
        resource: 'admin__debug',
        taskId: TASK_ID,
        actor: { userId: 'u1', role: 'user' },
        details: expect.objectContaining({ tool: 'admin__debug', refusedBy: 'orchestrator' }),
      }),
    ]);
  });

  it('does not audit a refusal again when a resumed task replays its stored round', async () => {
    const planner = new ScriptedPlanner([{ kind: 'final', answer: 'done' }]);
    const t = setup({
      planner,
      stored: [
        {
          iteration: 1,
          planner: 'llm',
          decision: {
            kind: 'actions',
            actions: [],
            rejected: [{ tool: 'admin__debug', reason: 'not offered', notOffered: 'admin__debug' }],
          },
        },
      ],
    });
    await t.go();
    expect(t.audit.record).not.toHaveBeenCalled();
  });

  it("asks for the manifest under the task's retry budget", async () => {
    const t = setup({ planner: new ScriptedPlanner([{ kind: 'final', answer: 'ok' }]) });
    await t.go();
    expect(t.manifestRequests).toEqual([
      expect.objectContaining({ deadline: t.run.retry.deadline, maxOutageMs: 30_000 }),
    ]);
  });

  describe('when the agent list cannot be read (the a2a service is away)', () => {
    const away = new DomainError('UPSTREAM_UNAVAILABLE', 'a2a is not available', {
      retryable: true,
    });
    const researcher = { name: 'researcher', description: 'finds facts' };
    /** A directory that answers from a list of results, recording the budget of each call. */
    const directory = (...results: AgentList[]) => {
      const calls: (RetryBudget | undefined)[] = [];
      return {
        calls,
        list: async (_a: unknown, wait?: RetryBudget) => {
          calls.push(wait);
          return results.shift() ?? { agents: [] };
        },
      };
    };
    const delegation = (d: PlanningState): PlanDecision =>
      d.agents.some((a) => a.name === 'researcher')
        ? { kind: 'actions', actions: [{ ...action('s1', 'researcher'), kind: 'agent' }] }
        : { kind: 'fail', error: new AgentsUnavailable('researcher', d.agentsUnavailable ?? '') };

    /** A planner that delegates to the researcher when it knows it (the built-in planner's rule). */
    class DelegatingPlanner extends ScriptedPlanner {
      override async next(state: PlanningState): Promise<PlanDecision> {
        this.seen.push(state);
        return state.steps.length ? { kind: 'final', answer: 'found' } : delegation(state);
      }
    }

    it('waits for the service within the task budget and plans again once it answers', async () => {
      const dir = directory({ agents: [], unavailable: away }, { agents: [researcher] });
      const planner = new DelegatingPlanner([]);
      const t = setup({ planner, directory: dir as unknown as AgentDirectory });
      expect(await t.go()).toEqual({ status: 'completed', result: 'found' });
      expect(dir.calls).toEqual([undefined, t.run.retry]);
      expect(planner.seen[0]!.agentsUnavailable).toBe('a2a is not available');
      expect(t.dispatched).toEqual(['s1']);
    });

    it('fails the task as temporarily unavailable (retryable) when the service stays away', async () => {
      const later = new DomainError('UPSTREAM_UNAVAILABLE', 'a2a is still not available', {
        retryable: true,
      });
      const dir = directory({ agents: [], unavailable: away }, { agents: [], unavailable: later });
      const t = setup({
        planner: new DelegatingPlanner([]),
        directory: dir as unknown as AgentDirectory,
      });
      expect(await t.go()).toEqual({
        status: 'failed',
        error: {
          code: 'UPSTREAM_UNAVAILABLE',
          message: 'agent "researcher" cannot be reached now: a2a is still not available',
          details: { agent: 'researcher' },
          retryable: true,
        },
      });
      expect(t.dispatched).toEqual([]);
    });

    it('built-in planner: reads the list once without waiting for a task it cannot read (its help names the agents)', async () => {
      // Before, the first read waited out the a2a service's absence (TASK_OUTAGE_WAIT_MS) for "x".
      const dir = directory({ agents: [], unavailable: away });
      const t = setup({
        planner: new BuiltinPlanner(),
        directory: dir as unknown as AgentDirectory,
      });
      t.run.submission.request.task = 'x';
      expect(await t.go()).toMatchObject({ status: 'failed', error: { code: 'UNSUPPORTED' } });
      expect(dir.calls).toEqual([undefined]);
    });

    it('built-in planner: waits for the service when the task names an agent and the first read failed', async () => {
      const dir = directory({ agents: [], unavailable: away }, { agents: [researcher] });
      const t = setup({
        planner: new BuiltinPlanner(),
        directory: dir as unknown as AgentDirectory,
      });
      t.run.submission.request.task = 'ask the researcher about NATS';
      await t.go();
      expect(dir.calls).toEqual([undefined, t.run.retry]);
      expect(t.dispatched).toHaveLength(1);
    });

    it('does not wait at all for a task that needs no agent', async () => {
      const dir = directory({ agents: [], unavailable: away });
      const t = setup({
        planner: new ScriptedPlanner([{ kind: 'final', answer: '2' }]),
        directory: dir as unknown as AgentDirectory,
      });
      expect(await t.go()).toEqual({ status: 'completed', result: '2' });
      expect(dir.calls).toEqual([undefined]);
    });
  });
});
