import { jest } from '@jest/globals';
import type { Logger } from '@switchboard/observability';
import type { DailyUse, QuotaVerdict } from '@switchboard/runtime';
import { type DailyQuotas, TenantBudget } from './tenant-budget.js';

const ACTOR = { userId: 'ada', role: 'user', tenantId: 'acme' };
const over: QuotaVerdict = {
  ok: false,
  refusal: {
    quota: 'tokensPerDay',
    scope: 'user',
    tenantId: 'acme',
    userId: 'ada',
    limit: 100,
    used: 120,
    retryAfterSeconds: 60,
  },
};

function setup(answer: (use: DailyUse) => QuotaVerdict = () => ({ ok: true, metered: true })) {
  const charged: DailyUse[] = [];
  const quotas: DailyQuotas = {
    checkDaily: async (use) => answer({ amount: 0, ...use }),
    chargeDaily: async (use) => {
      charged.push(use);
      return answer(use);
    },
  };
  const sut = new TenantBudget(quotas, { warn: jest.fn() } as unknown as Logger);
  return { sut, charged };
}

describe(TenantBudget.name, () => {
  it("charges tokens, and cost only when the round was priced; the user's refusal names them", async () => {
    const { sut, charged } = setup((use) =>
      use.kind === 'tokens' && use.amount > 0 ? over : { ok: true, metered: true },
    );
    const usage = { promptTokens: 80, completionTokens: 40, totalTokens: 120 };
    expect(await sut.charge(ACTOR, usage, 't1')).toEqual(over.ok ? undefined : over.refusal);
    expect(charged).toEqual([{ tenantId: 'acme', userId: 'ada', kind: 'tokens', amount: 120 }]);
  });

  it('lets the model be asked while something is left, and says which quota is spent otherwise', async () => {
    expect(await setup().sut.refusal(ACTOR, {})).toBeUndefined();
    const spent = setup((use) => (use.kind === 'tokens' ? over : { ok: true, metered: true }));
    expect(await spent.sut.refusal(ACTOR, {})).toMatchObject({
      quota: 'tokensPerDay',
      scope: 'user',
    });
  });
});
