import type { Tenancy } from '@switchboard/contracts';

export type TenantUsage = Tenancy.TenantUsage;
export type TenantQuota = Tenancy.TenantQuota;
export type QuotaName = Tenancy.QuotaName;
export type UsageCounter = keyof Tenancy.UsageCounters;

/** Each counter of GET /usage with the limit it is held against (docs/quotas.md). */
export const COUNTERS: readonly { counter: UsageCounter; quota: QuotaName; label: string }[] = [
  {
    counter: 'tasksLastMinute',
    quota: 'tasksPerMinute',
    label: 'Tasks started in the last minute',
  },
  { counter: 'runningTasks', quota: 'concurrentTasks', label: 'Running tasks' },
  { counter: 'tokens', quota: 'tokensPerDay', label: 'Tokens today' },
  { counter: 'costUsd', quota: 'costPerDayUsd', label: 'Cost today' },
  { counter: 'toolCalls', quota: 'toolCallsPerDay', label: 'Tool calls today' },
  { counter: 'delegations', quota: 'delegationsPerDay', label: 'Delegations today' },
];

/** How full a counter is: `over` at the limit (the next one is refused), `near` from 80 %. */
export type Fill = 'unlimited' | 'ok' | 'near' | 'over';

export interface UsageRow {
  counter: UsageCounter;
  quota: QuotaName;
  label: string;
  used: number;
  /** The tenant's limit; absent: unlimited. */
  limit?: number;
  /** Each user's limit; absent: unlimited. */
  perUser?: number;
  fill: Fill;
}

export function fillOf(used: number, limit: number | undefined): Fill {
  if (limit === undefined) return 'unlimited';
  if (used >= limit) return 'over';
  return used >= limit * 0.8 ? 'near' : 'ok';
}

/** The tenant's counters against its quota, in the order the view lists them. */
export function usageRows(u: Pick<TenantUsage, 'usage' | 'quota'>): UsageRow[] {
  return COUNTERS.map(({ counter, quota, label }) => {
    const used = u.usage[counter];
    const limit = u.quota?.[quota];
    const perUser = u.quota?.perUser?.[quota];
    return {
      counter,
      quota,
      label,
      used,
      ...(limit !== undefined ? { limit } : {}),
      ...(perUser !== undefined ? { perUser } : {}),
      fill: fillOf(used, limit),
    };
  });
}

/** A counter's or a limit's amount as the page shows it: dollars for cost, grouped digits else. */
export function amountText(counter: UsageCounter | QuotaName, n: number | undefined): string {
  if (n === undefined) return 'unlimited';
  if (counter === 'costUsd' || counter === 'costPerDayUsd')
    return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: n > 0 && n < 0.01 ? 6 : 2 })}`;
  return n.toLocaleString('en-US');
}

/** "3 of 10", "3 (unlimited)": a counter against a limit, in words. */
export function usedOfWords(
  counter: UsageCounter,
  used: number,
  limit: number | undefined,
): string {
  return limit === undefined
    ? `${amountText(counter, used)} (unlimited)`
    : `${amountText(counter, used)} of ${amountText(counter, limit)}`;
}

/** Where the tenant's quota comes from, in words. */
export function sourceWords(source: Tenancy.QuotaSource): string {
  switch (source) {
    case 'tenant':
      return "the tenant's own quota";
    case 'platform':
      return 'the platform default (*)';
    case 'none':
      return 'no quota: nothing is limited or counted';
  }
}

/** When the daily counters start again: "00:00 UTC, in 5 h 3 min". */
export function resetWords(resetsAt: string, now: number): string {
  const at = new Date(resetsAt).getTime();
  if (Number.isNaN(at)) return resetsAt;
  const minutes = Math.max(0, Math.ceil((at - now) / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const left = h > 0 ? `${h} h${m > 0 ? ` ${m} min` : ''}` : `${m} min`;
  return `${resetsAt.slice(11, 16)} UTC, in ${left}`;
}

const LIMIT_WORDS: Record<QuotaName, [string, string]> = {
  tasksPerMinute: ['task a minute', 'tasks a minute'],
  concurrentTasks: ['concurrent task', 'concurrent tasks'],
  tokensPerDay: ['token a day', 'tokens a day'],
  costPerDayUsd: ['a day', 'a day'],
  toolCallsPerDay: ['tool call a day', 'tool calls a day'],
  delegationsPerDay: ['delegation a day', 'delegations a day'],
};

/** One limit in words: "10 concurrent tasks", "$50.00 a day". */
export function limitWords(quota: QuotaName, n: number): string {
  const [one, many] = LIMIT_WORDS[quota];
  return `${amountText(quota, n)} ${n === 1 ? one : many}`;
}

/**
 * A quota in words, for a confirmation: "10 concurrent tasks, 60 tasks a minute; each user: 3
 * concurrent tasks". `null` limits nothing; `{}` counts without limiting.
 */
export function quotaWords(q: TenantQuota | null): string {
  if (!q) return 'no quota: nothing is limited or counted';
  const list = (l: Omit<TenantQuota, 'perUser'>) =>
    COUNTERS.flatMap(({ quota }) => {
      const n = l[quota];
      return n === undefined ? [] : [limitWords(quota, n)];
    }).join(', ');
  const tenant = list(q);
  const perUser = q.perUser ? list(q.perUser) : '';
  if (!tenant && !perUser) return 'no limits (usage is counted)';
  return [tenant, perUser ? `each user: ${perUser}` : ''].filter(Boolean).join('; ');
}
