import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, type Evaluations, tenantOf } from '@switchboard/contracts';
import { TenantBudget } from '../../budget/tenant-budget.js';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { LLM_CLIENT, type LlmClient } from '../../planning/index.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { type GivenScore, scorerName, scorerVersion } from './code-scorers.js';
import {
  type JudgeInput,
  JUDGE_SYSTEM,
  judgeKey,
  judgeUserMessage,
  parseVerdict,
} from './judge-prompt.js';

type JudgeSpec = Extract<Evaluations.ScorerSpec, { kind: 'judge' }>;

/** A judge's score, and whether it came from the cache (no model called, nothing paid). */
export type JudgeScore = GivenScore & { cached: boolean };

/**
 * The LLM judge (docs/evaluations.md): asks the orchestrator's OpenAI-compatible endpoint (its
 * LLM_MODEL, or the scorer's own model) — also when tasks run on the built-in planner — to grade an
 * answer against a rubric. Each verdict is kept by the hash of its tenant, model, rubric and input,
 * so a re-run asks nothing; a call is refused once the tenant's daily budget is spent and charged
 * to it after (the tokens it spent).
 */
@Injectable()
export class LlmJudge {
  constructor(
    @Inject(LLM_CLIENT) private readonly client: LlmClient,
    private readonly prisma: PrismaService,
    private readonly budget: TenantBudget,
    @Inject(APP_CONFIG)
    private readonly config: Pick<
      OrchestratorEnv,
      'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'LLM_MODEL'
    >,
  ) {}

  async score(
    spec: JudgeSpec,
    input: JudgeInput,
    actor: Actor,
    taskId: string,
  ): Promise<JudgeScore> {
    const tenantId = tenantOf(actor);
    const model = spec.model ?? this.config.LLM_MODEL;
    const base = { name: scorerName(spec), scorerVersion: scorerVersion(spec) };
    const key = judgeKey(tenantId, model, spec.rubric, input);
    const kept = await this.prisma.judgeVerdict.findUnique({ where: { inputSha256: key } });
    if (kept) return { ...base, value: kept.value as number, reason: kept.reason, cached: true };
    // An endpoint is enough, whichever planner runs tasks: the built-in planner needs no model, a
    // judge does (PLANNER=builtin with OPENAI_BASE_URL judges with it).
    if (!this.config.OPENAI_API_KEY && !this.config.OPENAI_BASE_URL)
      return {
        ...base,
        value: 'unscored',
        reason: 'no judge model is configured (OPENAI_BASE_URL / OPENAI_API_KEY)',
        cached: false,
      };
    const refusal = await this.budget.refusal(actor, { deadline: Date.now() + 10_000 });
    if (refusal)
      return {
        ...base,
        value: 'unscored',
        reason: `the tenant's daily ${refusal.quota} budget is spent`,
        cached: false,
      };
    const completion = await this.client.complete(
      {
        model,
        messages: [
          { role: 'system', content: JUDGE_SYSTEM },
          { role: 'user', content: judgeUserMessage(spec.rubric, input) },
        ],
        tools: [],
        temperature: 0,
        maxOutputTokens: 300,
        taskId,
      },
      AbortSignal.timeout(60_000),
    );
    const prompt = completion.usage?.promptTokens ?? 0;
    const out = completion.usage?.completionTokens ?? 0;
    await this.budget.charge(
      actor,
      { promptTokens: prompt, completionTokens: out, totalTokens: prompt + out },
      taskId,
    );
    const verdict = parseVerdict(completion.content);
    if ('error' in verdict)
      return { ...base, value: 'unscored', reason: verdict.error, cached: false };
    await this.prisma.judgeVerdict.upsert({
      where: { inputSha256: key },
      create: {
        inputSha256: key,
        tenantId,
        value: verdict.score,
        reason: verdict.reason,
        tokens: prompt + out,
      },
      update: {},
    });
    return { ...base, value: verdict.score, reason: verdict.reason, cached: false };
  }
}
