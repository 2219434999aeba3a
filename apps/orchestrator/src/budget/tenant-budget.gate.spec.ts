import { jest } from '@jest/globals';
import { DomainError, type Tasks, Tenancy } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { DailyUse, QuotaVerdict } from '@switchboard/runtime';
import { GuardrailService } from '../guardrails/guardrail.service.js';
import { Guardrails } from '../guardrails/guardrails.js';
import { BuiltinPlanner } from '../planning/builtin-planner.js';
import { DirectCallPlanner } from '../planning/direct-call.planner.js';
import type { PlanDecision, Planner, PlanningState } from '../planning/planner.js';
import { InMemoryJournal } from '../tasks/journal/in-memory.journal.js';
import { PlanRoundUseCase } from '../tasks/plan-round/plan-round.use-case.js';
import type { PlanningRoundRepository } from '../tasks/plan-round/planning-round.repository.js';
import type { TaskRun } from '../tasks/run-task/task-run.js';
import { UsageMeter } from '../tasks/run-task/usage-meter.js';
import { TaskEventSequence } from '../tasks/task-event.stream.js';
import { TenantBudgetGate } from './tenant-budget.gate.js';
import { type DailyQuotas, TenantBudget } from './tenant-budget.js';
import { LIVE_RUN } from '../tasks/run-task/live-run.source.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const ACTOR = { userId: 'ada', role: 'user', tenantId: 'acme' };

/** An LLM planner answering from a list; `asked` counts the model calls. */
class ModelPlanner implements Planner {
  readonly kind = 'llm' as const;
  readonly model = 'stub-model';
  asked = 0;
  constructor(private readonly decisions: PlanDecision[]) {}
  next(): Promise<PlanDecision> {
    this.asked++;
    const d = this.decisions.shift();
    if (!d) throw new Error('asked once too often');
    return Promise.resolve(d);
  }
  estimatePromptTokens(): number {
    return 50;
  }
  asksModel(): boolean {
    return true;
  }
}

const usage = (prompt: number, completion: number): Tasks.TokenUsage => ({
  promptTokens: prompt,
  completionTokens: completion,
  totalTokens: prompt + completion,
});

const refusal = (quota: Tenancy.QuotaName, used: number): QuotaVerdict => ({
  ok: false,
  refusal: {
    quota,
    scope: 'tenant',
    tenantId: 'acme',
    limit: 1_000,
    used,
    retryAfterSeconds: 3_600,
  },
});

/**
 * A planning round (the real use case) under the real TenantBudget, plugged in as its round gate, on
 * fake counters: `verdicts` answers each check or charge by its kind (default: within, metered), and
 * every call is recorded.
 */
function setup(
  planner: Planner,
  verdicts: {
    check?: Partial<Record<Tenancy.DailyKind, QuotaVerdict | Error>>;
    charge?: Partial<Record<Tenancy.DailyKind, QuotaVerdict | Error>>;
  } = {},
) {
  const calls: { mode: 'check' | 'charge'; use: Partial<DailyUse> }[] = [];
  // One call answers several kinds (one script): each kind is recorded, the first refusal answers.
  const answer = (vs: (QuotaVerdict | Error | undefined)[]): Promise<QuotaVerdict> => {
    const failed = vs.find((v) => v instanceof Error);
    if (failed) return Promise.reject(failed);
    const refused = vs.find((v): v is QuotaVerdict => v !== undefined && !(v as QuotaVerdict).ok);
    return Promise.resolve(refused ?? { ok: true, metered: true });
  };
  const quotas: DailyQuotas = {
    checkDailyAll: (who, kinds) =>
      answer(
        kinds.map((kind) => {
          calls.push({ mode: 'check', use: { ...who, kind } });
          return verdicts.check?.[kind];
        }),
      ),
    chargeDailyAll: (who, amounts) =>
      answer(
        (Object.entries(amounts) as [Tenancy.DailyKind, number][]).map(([kind, amount]) => {
          calls.push({ mode: 'charge', use: { ...who, kind, amount } });
          return verdicts.charge?.[kind];
        }),
      ),
  };
  const events: Tasks.TaskEvent[] = [];
  const jetstream = new InMemoryJournal((e) => void events.push(e));
  const saved: PlanDecision[] = [];
  /** How each round was stored: in a statement of its own, or deferred to the next commit. */
  const stored: string[] = [];
  const rounds = {
    save: async (_t: unknown, _i: number, _p: string, d: PlanDecision) => {
      saved.push(d);
      stored.push('own statement');
    },
    upsert: (_t: unknown, _i: number, _p: string, d: PlanDecision) => {
      saved.push(d);
      stored.push('deferred');
    },
  } as unknown as PlanningRoundRepository;
  const audit = { record: jest.fn(async () => undefined) } as unknown as AuditTrail;
  const logger = { warn: jest.fn() } as unknown as Logger;
  const guardrails = new Guardrails(
    new GuardrailService({
      DISALLOWED_KEYWORDS: ['secret-plan'],
      DISALLOWED_PATTERNS: [],
      GUARDRAIL_STAGES: ['output'],
    }),
    audit,
    logger,
  );
  const sut = new PlanRoundUseCase(
    planner,
    rounds,
    guardrails,
    audit,
    new TenantBudgetGate(new TenantBudget(quotas, logger)),
  );
  const run: TaskRun = {
    submission: {
      taskId: TASK_ID,
      actor: ACTOR,
      request: { task: 'do it' },
      submittedAt: new Date().toISOString(),
      correlationId: 'c1',
    },
    text: 'do it',
    events: new TaskEventSequence(TASK_ID, 0, 'orchestrator', jetstream, { tenantId: 'default' }),
    startedAt: new Date(),
    planner: planner.kind,
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    retry: { deadline: Date.now() + 60_000, maxOutageMs: 400 },
    // $1 per million prompt tokens, $2 per million completion tokens
    meter: new UsageMeter(0, { '*': { prompt: 1, completion: 2 } }),
    plan: [],
    resumed: false,
    stepsStored: new Set(),
    source: LIVE_RUN,
  };
  const state: Omit<PlanningState, 'signal' | 'maxOutputTokens'> = {
    taskId: TASK_ID,
    task: 'do it',
    tools: [],
    agents: [],
    steps: [],
    iteration: 1,
    rounds: [],
    history: [],
  };
  const flushed = async () => {
    await run.events.flush();
    return events;
  };
  return { sut, run, state, calls, saved, stored, flushed, logger };
}

describe(`${PlanRoundUseCase.name} under ${TenantBudgetGate.name}`, () => {
  it("checks the tenant's daily tokens and cost before the model is asked, then charges what the round spent", async () => {
    const planner = new ModelPlanner([
      { kind: 'final', answer: '42', usage: usage(1_000, 500), model: 'stub-model' },
    ]);
    const { sut, run, state, calls, saved } = setup(planner);
    const result = await sut.decide(run, state, undefined);
    expect(result).toEqual({ decision: expect.objectContaining({ kind: 'final', answer: '42' }) });
    const who = { tenantId: 'acme', userId: 'ada' };
    expect(calls).toEqual([
      { mode: 'check', use: { ...who, kind: 'tokens' } },
      { mode: 'check', use: { ...who, kind: 'costUsd' } },
      { mode: 'charge', use: { ...who, kind: 'tokens', amount: 1_500 } },
      // priced by the table: 1000 × $1 + 500 × $2 per million
      { mode: 'charge', use: { ...who, kind: 'costUsd', amount: 0.002 } },
    ]);
    expect(saved).toHaveLength(1);
  });

  it('stops the task before the model is asked when nothing is left today, naming the quota', async () => {
    const planner = new ModelPlanner([]);
    const { sut, run, state, saved, flushed } = setup(planner, {
      check: { costUsd: refusal('costPerDayUsd', 1_000) },
    });
    const result = await sut.decide(run, state, undefined);
    expect(planner.asked).toBe(0);
    expect(result).toEqual({
      outcome: {
        status: 'failed',
        error: {
          code: 'BUDGET_EXCEEDED',
          message: expect.stringContaining('quota costPerDayUsd of tenant acme reached'),
          details: expect.objectContaining({ quota: 'costPerDayUsd', scope: 'tenant' }),
          retryable: false,
        },
      },
    });
    // Nothing was planned: no round stored, no planning event.
    expect(saved).toEqual([]);
    expect(await flushed()).toEqual([]);
  });

  it('ends the task with the round that goes past the daily limit, whatever it decided, keeping its cost', async () => {
    const planner = new ModelPlanner([
      { kind: 'actions', actions: [], usage: usage(900, 200), model: 'stub-model' },
    ]);
    const { sut, run, state, saved, flushed } = setup(planner, {
      charge: { tokens: refusal('tokensPerDay', 1_100) },
    });
    const result = await sut.decide(run, state, undefined);
    const decision = 'decision' in result ? result.decision : undefined;
    expect(decision).toMatchObject({ kind: 'fail', usage: { totalTokens: 1_100 } });
    const error = decision?.kind === 'fail' ? decision.error : undefined;
    expect(error).toBeInstanceOf(DomainError);
    expect(error?.toBody()).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      message: expect.stringMatching(/^quota tokensPerDay of tenant acme reached: 1100 used/),
      details: { quota: 'tokensPerDay', limit: 1_000, used: 1_100 },
    });
    // Stored as the round's decision: a resumed task replays the same end.
    expect(saved).toEqual([decision]);
    expect((await flushed()).at(-1)).toMatchObject({
      name: 'orchestrator.planning.completed',
      data: { decision: 'fail', usage: { totalTokens: 1_100 } },
      message: 'planning failed: BUDGET_EXCEEDED',
    });
  });

  it("keeps a failed round's own reason when its charge also goes past the limit", async () => {
    const planner = new ModelPlanner([
      {
        kind: 'final',
        answer: 'the secret-plan is ready',
        usage: usage(900, 200),
        model: 'stub-model',
      },
    ]);
    const { sut, run, state, calls } = setup(planner, {
      charge: { tokens: refusal('tokensPerDay', 1_100) },
    });
    const result = await sut.decide(run, state, undefined);
    expect('decision' in result && result.decision).toMatchObject({
      kind: 'fail',
      error: { code: 'GUARDRAIL' },
    });
    // The tokens were spent all the same: counted.
    expect(calls.filter((c) => c.mode === 'charge')).toHaveLength(2);
  });

  it('checks and charges nothing for rounds that ask no model (built-in planner, a direct call) or replay one', async () => {
    const builtin = setup(new BuiltinPlanner());
    await builtin.sut.decide(builtin.run, { ...builtin.state, task: 'what is 6 * 7' }, undefined);
    expect(builtin.calls).toEqual([]);

    const llm = new ModelPlanner([]);
    const direct = setup(new DirectCallPlanner(llm));
    const call = { tool: 'calculator', input: { expression: '1+1' } };
    await direct.sut.decide(direct.run, { ...direct.state, call }, undefined);
    expect(llm.asked).toBe(0);
    expect(direct.calls).toEqual([]);

    const replay = setup(new ModelPlanner([]));
    const stored: PlanDecision = { kind: 'final', answer: 'x', usage: usage(10, 10) };
    await replay.sut.decide(replay.run, replay.state, stored);
    // Charged when it was planned, before the crash.
    expect(replay.calls).toEqual([]);
  });

  it("stores a model's decision before anything acts on it, and defers a round no model planned to the next commit", async () => {
    const model = setup(new ModelPlanner([{ kind: 'final', answer: '42', usage: usage(10, 10) }]));
    await model.sut.decide(model.run, model.state, undefined);
    expect(model.stored).toEqual(['own statement']);

    const builtin = setup(new BuiltinPlanner());
    await builtin.sut.decide(builtin.run, { ...builtin.state, task: 'what is 6 * 7' }, undefined);
    expect(builtin.stored).toEqual(['deferred']);
    // Its events wait for that commit too: nothing is journaled on its own.
    expect(builtin.run.events.unjournaled).toBeGreaterThan(0);
  });

  it('waits out a counters outage within the task budget, then fails the round as unavailable', async () => {
    const down = Tenancy.quotaUnavailableError('acme');
    const planner = new ModelPlanner([]);
    const { sut, run, state, calls } = setup(planner, { check: { tokens: down } });
    await expect(sut.decide(run, state, undefined)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
    expect(planner.asked).toBe(0);
    // asked again with backoff for TASK_OUTAGE_WAIT_MS (400 ms here) before giving up
    expect(calls.filter((c) => c.use.kind === 'tokens').length).toBeGreaterThan(1);
  });

  it('lets the round count even when its charge cannot be stored (logged; the model was paid for)', async () => {
    const planner = new ModelPlanner([{ kind: 'final', answer: '42', usage: usage(10, 10) }]);
    const { sut, run, state, logger } = setup(planner, {
      charge: { tokens: Tenancy.quotaUnavailableError('acme') },
    });
    const result = await sut.decide(run, state, undefined);
    expect('decision' in result && result.decision.kind).toBe('final');
    expect(logger.warn).toHaveBeenCalled();
  });
});
