import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DomainError, type Tasks } from '@switchboard/contracts';
import { type OrchestratorEnv, usesLlm } from '../config/orchestrator.env.js';
import {
  BuiltinPlanner,
  DirectCallPlanner,
  LLM_CLIENT,
  type LlmClient,
  LlmPlanner,
} from '../planning/index.js';
import { LIVE_RUN, type ResolvedRun, type RunSources } from '../tasks/index.js';
import { JudgeReplayUseCase } from './judge-replay/judge-replay.use-case.js';
import { RecordedLlmClient } from './recorded-llm.client.js';
import { RecordedRunSource } from './recorded-run.source.js';
import { firstContext, type RunOriginState, type RunRecord } from './run-record.js';
import { RunRecordRepository } from './run-record.repository.js';

type Settings = Pick<
  OrchestratorEnv,
  | 'PLANNER'
  | 'OPENAI_API_KEY'
  | 'OPENAI_BASE_URL'
  | 'LLM_MODEL'
  | 'LLM_TEMPERATURE'
  | 'LLM_MAX_OUTPUT_TOKENS'
  | 'LLM_OBSERVATION_MAX_CHARS'
>;

/**
 * The run sources (RunSources, the task core's port): a live task's, or a recorded one (RecordedRunSource).
 * Decides how a task is planned: a live task by the platform's planner; a replay by the same kind of
 * planner as its record, fed the recorded model completions (no model is called); a fork from its
 * record up to its fork point, then live — by the planner and model it asks for, else the record's
 * planner kind as configured now. The record is read for the submitter: a task they may not read is
 * NOT_FOUND, as a missing one (the gateway checked too: this is the owner of the data checking).
 */
@Injectable()
export class RunOrigins implements RunSources {
  constructor(
    @Inject(LLM_CLIENT) private readonly client: LlmClient,
    private readonly records: RunRecordRepository,
    @Inject(APP_CONFIG) private readonly config: Settings,
    private readonly judge: JudgeReplayUseCase,
  ) {}

  /** How `s` runs; throws (NOT_FOUND, VALIDATION, UNSUPPORTED) when its origin cannot be run. */
  async resolve(s: Tasks.TaskSubmission): Promise<ResolvedRun> {
    const origin = await this.originOf(s);
    if (!origin) return { source: LIVE_RUN, submission: s };
    // A replay or fork runs its record's request (with a fork's changes).
    return {
      source: new RecordedRunSource(origin, this.judge),
      submission: runSubmission(s, origin),
    };
  }

  private async originOf(s: Tasks.TaskSubmission): Promise<RunOriginState | undefined> {
    const origin = s.run;
    if (!origin) return undefined;
    const record = await this.records.load(origin.of, s.actor);
    if (!record) throw new DomainError('NOT_FOUND', `task ${origin.of} not found`);
    if (origin.kind === 'replay') return this.replay(record, origin.edits);
    return this.fork(record, origin);
  }

  private replay(record: RunRecord, edits: Tasks.ForkEdits | undefined): RunOriginState {
    if (record.rounds.length && !firstContext(record))
      throw new DomainError(
        'UNSUPPORTED',
        `task ${record.taskId} was recorded before replays existed: its record lacks the tools it was offered`,
      );
    const client = record.planner === 'llm' ? new RecordedLlmClient(record.rounds) : undefined;
    const planner = new DirectCallPlanner(
      client ? new LlmPlanner(client, this.llmSettings(record.model)) : new BuiltinPlanner(),
    );
    return {
      kind: 'replay',
      of: record.taskId,
      record,
      planner,
      liveRound: Infinity,
      liveStep: Infinity,
      // a replay changes nothing but, as a what-if, the guardrails
      ...(edits?.guardrails ? { edits: { guardrails: edits.guardrails } } : {}),
      // the same list the client fills as the rounds are planned
      ...(client ? { notes: client.changedRequests } : {}),
    };
  }

  private fork(record: RunRecord, origin: Tasks.RunOrigin): RunOriginState {
    const from = origin.from as Tasks.ForkPoint;
    const { liveRound, liveStep } = forkPoint(record, from);
    const edits = origin.edits;
    if (edits?.stepOutput && edits.stepOutput.step - 1 >= liveStep)
      throw new DomainError(
        'VALIDATION',
        `step_output.step: step ${edits.stepOutput.step} runs live in this fork (it starts at step ${liveStep + 1}); only an earlier step's output can be replaced`,
        { details: { issues: [{ path: 'step_output.step', message: 'runs live in this fork' }] } },
      );
    const kind = edits?.planner ?? record.planner;
    if (kind === 'llm' && !usesLlm(this.config))
      throw new DomainError(
        'UNSUPPORTED',
        'planner: the fork would plan with an LLM, and none is configured here (OPENAI_BASE_URL / OPENAI_API_KEY); fork with "planner": "builtin"',
      );
    const planner = new DirectCallPlanner(
      kind === 'llm'
        ? new LlmPlanner(this.client, {
            ...this.llmSettings(edits?.model ?? this.config.LLM_MODEL),
            ...(edits?.systemPrompt ? { systemPrompt: edits.systemPrompt } : {}),
          })
        : new BuiltinPlanner(),
    );
    return {
      kind: 'fork',
      of: record.taskId,
      record,
      planner,
      liveRound,
      liveStep,
      from,
      ...(edits ? { edits } : {}),
    };
  }

  private llmSettings(model: string | undefined) {
    return {
      model: model ?? this.config.LLM_MODEL,
      temperature: this.config.LLM_TEMPERATURE,
      maxOutputTokens: this.config.LLM_MAX_OUTPUT_TOKENS,
      maxObservationChars: this.config.LLM_OBSERVATION_MAX_CHARS,
    };
  }
}

/**
 * Where a fork goes live. From round R: rounds before R are the record's, with their steps. From step
 * N: the round that planned step N is the record's too, and its steps before N.
 */
export function forkPoint(
  record: Pick<RunRecord, 'rounds' | 'steps'>,
  from: Tasks.ForkPoint,
): { liveRound: number; liveStep: number } {
  const roundOf = new Map<string, number>();
  for (const r of record.rounds)
    if (r.decision.kind === 'actions')
      for (const a of r.decision.actions) roundOf.set(a.id, r.iteration);
  if ('round' in from) {
    if (from.round > record.rounds.length)
      throw invalid('from_round', `the task has ${record.rounds.length} planning round(s)`);
    const liveStep = record.steps.filter((s) => (roundOf.get(s.actionId) ?? 0) < from.round).length;
    return { liveRound: from.round, liveStep };
  }
  const step = record.steps[from.step - 1];
  if (!step) throw invalid('from_step', `the task has ${record.steps.length} step(s)`);
  return { liveRound: (roundOf.get(step.actionId) ?? 0) + 1, liveStep: from.step - 1 };
}

const invalid = (path: string, message: string): DomainError =>
  new DomainError('VALIDATION', `${path}: ${message}`, {
    details: { issues: [{ path, message }] },
  });

/**
 * The submission a replay or fork runs as: the record's request (its constraints, limits and approval
 * wishes), with what a fork changes (its task text, constraints, max_steps) on top, and a direct call's
 * tool and input as recorded. Never the record's thread: a replay or fork runs beside the thread's
 * conversation (with the history its record had), not in it.
 */
export function runSubmission(
  s: Tasks.TaskSubmission,
  origin: RunOriginState,
): Tasks.TaskSubmission {
  // Not the original's thread, and not its webhook: a run again is no message on the thread, and it
  // calls nobody's URL but its own caller's (a fork's request may name one).
  const {
    thread_id: _thread,
    thread_policy: _policy,
    webhook: _webhook,
    ...recorded
  } = origin.record.request;
  const request: Tasks.TaskRequest =
    origin.kind === 'replay' ? recorded : { ...recorded, ...s.request };
  const call = firstContext(origin.record)?.call;
  return { ...s, request, ...(call ? { call } : {}) };
}
