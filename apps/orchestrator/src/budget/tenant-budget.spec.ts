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

/** Quotas that answer each kind with `answer` and the first refusal of a call, as the script does. */
function setup(answer: (use: DailyUse) => QuotaVerdict = () => ({ ok: true, metered: true })) {
  const charged: DailyUse[] = [];
  const checked: string[][] = [];
  const first = (uses: DailyUse[]): QuotaVerdict =>
    uses.map(answer).find((v) => !v.ok) ?? { ok: true, metered: true };
  const quotas: DailyQuotas = {
    checkDailyAll: async (who, kinds) => {
      checked.push([...kinds]);
      return first(kinds.map((kind) => ({ ...who, kind, amount: 0 })));
    },
    chargeDailyAll: async (who, amounts) => {
      const uses = Object.entries(amounts).map(([kind, amount]) => ({
        ...who,
        kind: kind as DailyUse['kind'],
        amount: amount ?? 0,
      }));
      charged.push(...uses);
      return first(uses);
    },
  };
  const sut = new TenantBudget(quotas, { warn: jest.fn() } as unknown as Logger);
  return { sut, charged, checked };
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

  it('charges tokens and cost together, and nothing for a round that spent nothing', async () => {
    const { sut, charged } = setup();
    const usage = { promptTokens: 80, completionTokens: 40, totalTokens: 120, costUsd: 0.02 };
    expect(await sut.charge(ACTOR, usage, 't1')).toBeUndefined();
    expect(charged).toEqual([
      { tenantId: 'acme', userId: 'ada', kind: 'tokens', amount: 120 },
      { tenantId: 'acme', userId: 'ada', kind: 'costUsd', amount: 0.02 },
    ]);
    const idle = setup();
    const none = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    expect(await idle.sut.charge(ACTOR, none, 't2')).toBeUndefined();
    expect(idle.charged).toEqual([]);
  });

  it('lets the model be asked while something is left, and says which quota is spent otherwise', async () => {
    const open = setup();
    expect(await open.sut.refusal(ACTOR, {})).toBeUndefined();
    // Both kinds in one check (one script, one round trip).
    expect(open.checked).toEqual([['tokens', 'costUsd']]);
    const spent = setup((use) => (use.kind === 'tokens' ? over : { ok: true, metered: true }));
    expect(await spent.sut.refusal(ACTOR, {})).toMatchObject({
      quota: 'tokensPerDay',
      scope: 'user',
    });
  });
});
