import { describe, expect, it } from '@jest/globals';
import { type Actor, Evaluations, type Tenancy } from '@switchboard/contracts';
import type { TenantBudget } from '../../budget/tenant-budget.js';
import type { LlmClient, LlmRequest } from '../../planning/index.js';
import type { PrismaService } from '../../prisma/prisma.service.js';
import { parseVerdict } from './judge-prompt.js';
import { LlmJudge } from './llm-judge.js';

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const spec = Evaluations.ScorerSpec.parse({ kind: 'judge', name: 'right', rubric: 'Is it right?' });
if (spec.kind !== 'judge') throw new Error('a judge');
const input = { task: 'what is 17 * 23', answer: '391' };
const LLM = { PLANNER: 'auto', OPENAI_API_KEY: 'sk-test', LLM_MODEL: 'judge-model' } as const;

function setup(reply: string | null, refusal?: Tenancy.QuotaExceeded, config: object = LLM) {
  const cache = new Map<string, { value: unknown; reason: string }>();
  const asked: LlmRequest[] = [];
  const charged: unknown[] = [];
  const client: LlmClient = {
    complete: async (req) => {
      asked.push(req);
      return {
        content: reply,
        toolCalls: [],
        model: req.model,
        usage: { promptTokens: 40, completionTokens: 10 },
      };
    },
  };
  const prisma = {
    judgeVerdict: {
      findUnique: async ({ where }: { where: { inputSha256: string } }) =>
        cache.get(where.inputSha256) ?? null,
      upsert: async ({
        create,
      }: {
        create: { inputSha256: string; value: unknown; reason: string };
      }) => {
        cache.set(create.inputSha256, create);
        return create;
      },
    },
  } as unknown as PrismaService;
  const budget = {
    refusal: async () => refusal,
    charge: async (_a: Actor, usage: unknown) => {
      charged.push(usage);
      return undefined;
    },
  } as unknown as TenantBudget;
  const sut = new LlmJudge(client, prisma, budget, config as never);
  return { sut, asked, charged, cache };
}

describe(LlmJudge.name, () => {
  it('asks the model once, charges the tenant, and answers a re-run from its cache without paying', async () => {
    const { sut, asked, charged } = setup('{"score": 0.8, "reason": "right, briefly"}');
    const first = await sut.score(spec, input, ann, 't1');
    expect(first).toMatchObject({
      name: 'right',
      value: 0.8,
      reason: 'right, briefly',
      cached: false,
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ model: 'judge-model', temperature: 0, tools: [] });
    expect(asked[0]?.messages[1]?.content).toContain('Rubric:\nIs it right?');
    expect(charged).toEqual([{ promptTokens: 40, completionTokens: 10, totalTokens: 50 }]);
    const again = await sut.score(spec, input, ann, 't2');
    expect(again).toMatchObject({ value: 0.8, cached: true });
    expect(asked).toHaveLength(1);
    expect(charged).toHaveLength(1);
    // another tenant's same question is its own (and paid by it)
    await sut.score(spec, input, { ...ann, tenantId: 'globex' }, 't3');
    expect(asked).toHaveLength(2);
  });

  it("asks nothing once the tenant's budget is spent, or with no model configured", async () => {
    const spent = { quota: 'tokensPerDay' } as Tenancy.QuotaExceeded;
    const refused = setup('{"score":1}', spent);
    expect(await refused.sut.score(spec, input, ann, 't')).toMatchObject({
      value: 'unscored',
      reason: "the tenant's daily tokensPerDay budget is spent",
    });
    expect(refused.asked).toHaveLength(0);
    const none = setup('{"score":1}', undefined, { PLANNER: 'auto', LLM_MODEL: 'm' });
    expect((await none.sut.score(spec, input, ann, 't')).value).toBe('unscored');
    expect(none.asked).toHaveLength(0);
  });

  it('asks the configured endpoint with the built-in planner too (the judge needs a model, tasks do not)', async () => {
    const builtin = setup('{"score": 1, "reason": "ok"}', undefined, {
      PLANNER: 'builtin',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      LLM_MODEL: 'judge-model',
    });
    expect(await builtin.sut.score(spec, input, ann, 't')).toMatchObject({ value: 1 });
    expect(builtin.asked).toHaveLength(1);
  });

  it('keeps no verdict it cannot read: the next run asks again', async () => {
    const { sut, asked, cache } = setup('I think it is fine');
    expect(await sut.score(spec, input, ann, 't')).toMatchObject({
      value: 'unscored',
      reason: 'the judge replied without a JSON object',
    });
    expect(cache.size).toBe(0);
    await sut.score(spec, input, ann, 't');
    expect(asked).toHaveLength(2);
  });

  it('reads a verdict bare or fenced, refusing a score outside 0-1', () => {
    expect(parseVerdict('```json\n{"score": 1, "reason": "ok"}\n```')).toEqual({
      score: 1,
      reason: 'ok',
    });
    expect(parseVerdict('{"score": 7}')).toEqual({
      error: 'the judge gave no score between 0 and 1',
    });
    expect(parseVerdict('{"score": ')).toEqual({
      error: 'the judge replied without a JSON object',
    });
    expect(parseVerdict('{"score": 0.5,}')).toEqual({
      error: 'the judge replied with malformed JSON',
    });
  });
});
