import { describe, expect, it } from '@jest/globals';
import {
  amountText,
  fillOf,
  limitWords,
  quotaWords,
  resetWords,
  sourceWords,
  type TenantUsage,
  usageRows,
  usedOfWords,
} from './usage';

const USAGE: TenantUsage = {
  tenantId: 'acme',
  day: '2026-11-25',
  resetsAt: '2026-11-26T00:00:00.000Z',
  metered: true,
  source: 'tenant',
  quota: {
    concurrentTasks: 10,
    tasksPerMinute: 5,
    costPerDayUsd: 2,
    perUser: { concurrentTasks: 3 },
  },
  usage: {
    runningTasks: 8,
    tasksLastMinute: 5,
    tokens: 81_234,
    costUsd: 1.5,
    toolCalls: 55,
    delegations: 2,
  },
};

describe(usageRows.name, () => {
  it("holds each counter against its limit, the tenant's and each user's", () => {
    expect(usageRows(USAGE)).toEqual([
      {
        counter: 'tasksLastMinute',
        quota: 'tasksPerMinute',
        label: 'Tasks started in the last minute',
        used: 5,
        limit: 5,
        fill: 'over',
      },
      {
        counter: 'runningTasks',
        quota: 'concurrentTasks',
        label: 'Running tasks',
        used: 8,
        limit: 10,
        perUser: 3,
        fill: 'near',
      },
      {
        counter: 'tokens',
        quota: 'tokensPerDay',
        label: 'Tokens today',
        used: 81_234,
        fill: 'unlimited',
      },
      {
        counter: 'costUsd',
        quota: 'costPerDayUsd',
        label: 'Cost today',
        used: 1.5,
        limit: 2,
        fill: 'ok',
      },
      {
        counter: 'toolCalls',
        quota: 'toolCallsPerDay',
        label: 'Tool calls today',
        used: 55,
        fill: 'unlimited',
      },
      {
        counter: 'delegations',
        quota: 'delegationsPerDay',
        label: 'Delegations today',
        used: 2,
        fill: 'unlimited',
      },
    ]);
  });

  it('has no limits without a quota', () => {
    const rows = usageRows({ ...USAGE, quota: null });
    expect(rows.every((r) => r.fill === 'unlimited' && r.limit === undefined)).toBe(true);
  });

  it('is full at the limit (the next one is refused), near from 80 %', () => {
    expect(fillOf(0, undefined)).toBe('unlimited');
    expect(fillOf(7, 10)).toBe('ok');
    expect(fillOf(8, 10)).toBe('near');
    expect(fillOf(10, 10)).toBe('over');
    expect(fillOf(0, 0)).toBe('over');
  });
});

describe('usage in words', () => {
  it('says amounts as dollars for cost, grouped digits else, and unlimited for no limit', () => {
    expect(amountText('tokens', 81_234)).toBe('81,234');
    expect(amountText('costUsd', 1.5)).toBe('$1.50');
    expect(amountText('costPerDayUsd', 50)).toBe('$50.00');
    expect(amountText('costUsd', 0.000123)).toBe('$0.000123');
    expect(amountText('concurrentTasks', undefined)).toBe('unlimited');
    expect(usedOfWords('runningTasks', 3, 10)).toBe('3 of 10');
    expect(usedOfWords('runningTasks', 3, undefined)).toBe('3 (unlimited)');
  });

  it('says where the quota comes from and when the day ends', () => {
    expect(sourceWords('tenant')).toBe("the tenant's own quota");
    expect(sourceWords('platform')).toBe('the platform default (*)');
    expect(sourceWords('none')).toBe('no quota: nothing is limited or counted');
    const now = Date.parse('2026-11-25T18:57:00.000Z');
    expect(resetWords('2026-11-26T00:00:00.000Z', now)).toBe('00:00 UTC, in 5 h 3 min');
    expect(resetWords('2026-11-26T00:00:00.000Z', now + 5 * 3_600_000)).toBe('00:00 UTC, in 3 min');
    expect(resetWords('2026-11-26T00:00:00.000Z', now - 57 * 60_000)).toBe('00:00 UTC, in 6 h');
  });

  it('says a quota in words, limits in the view order, per user after', () => {
    expect(limitWords('tasksPerMinute', 1)).toBe('1 task a minute');
    expect(limitWords('costPerDayUsd', 50)).toBe('$50.00 a day');
    expect(quotaWords(USAGE.quota)).toBe(
      '5 tasks a minute, 10 concurrent tasks, $2.00 a day; each user: 3 concurrent tasks',
    );
    expect(quotaWords({ perUser: { toolCallsPerDay: 1 } })).toBe('each user: 1 tool call a day');
    expect(quotaWords({})).toBe('no limits (usage is counted)');
    expect(quotaWords(null)).toBe('no quota: nothing is limited or counted');
  });
});
