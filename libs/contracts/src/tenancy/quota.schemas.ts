import { z } from 'zod';
import { TenantId, UserId } from '../identity.schemas.js';

/** A count limit: a positive whole number; absent means unlimited. */
const count = (max: number, what: string) =>
  z.number().int().positive().max(max).optional().describe(what);

/**
 * The limits of one scope (a tenant, or each user within it). Every field is optional: absent means
 * unlimited. Unknown fields are refused (a misspelt limit would otherwise silently be no limit).
 */
export const QuotaLimits = z
  .object({
    tasksPerMinute: count(
      1_000_000,
      'Tasks that may be started in any 60 s (a sliding window); refused with 429 and Retry-After.',
    ),
    concurrentTasks: count(
      1_000_000,
      'Tasks admitted and not yet ended (queued, running or waiting) at once; refused with 429.',
    ),
    tokensPerDay: count(
      1_000_000_000_000,
      'LLM tokens per UTC day; a task that would go past it is stopped with BUDGET_EXCEEDED.',
    ),
    costPerDayUsd: z
      .number()
      .nonnegative()
      .max(1_000_000_000)
      .optional()
      .describe(
        'LLM cost in US dollars per UTC day (counted to the micro-dollar); past it tasks stop with BUDGET_EXCEEDED.',
      ),
    toolCallsPerDay: count(1_000_000_000, 'Tool calls per UTC day; refused by mcp-tools.'),
    delegationsPerDay: count(
      1_000_000_000,
      'Delegations to remote agents per UTC day; refused by a2a.',
    ),
  })
  .strict();
export type QuotaLimits = z.infer<typeof QuotaLimits>;

/** A tenant's quota: its limits, and `perUser` limits that hold for each user within it. */
export const TenantQuota = QuotaLimits.extend({
  perUser: QuotaLimits.optional().describe(
    'Limits of each user within the tenant (same fields); both the tenant and the user limit apply.',
  ),
}).strict();
export type TenantQuota = z.infer<typeof TenantQuota>;

/** The names of the limits, as errors and metrics name them. */
export const QuotaName = z.enum([
  'tasksPerMinute',
  'concurrentTasks',
  'tokensPerDay',
  'costPerDayUsd',
  'toolCallsPerDay',
  'delegationsPerDay',
]);
export type QuotaName = z.infer<typeof QuotaName>;

/** Whose limit was reached: the tenant's total, or the user's own within it. */
export const QuotaScope = z.enum(['tenant', 'user']);
export type QuotaScope = z.infer<typeof QuotaScope>;

/** What is counted per UTC day, and the limit of each. */
export const DailyKind = z.enum(['tokens', 'costUsd', 'toolCalls', 'delegations']);
export type DailyKind = z.infer<typeof DailyKind>;

export const DAILY_QUOTA_OF: Record<DailyKind, QuotaName> = {
  tokens: 'tokensPerDay',
  costUsd: 'costPerDayUsd',
  toolCalls: 'toolCallsPerDay',
  delegations: 'delegationsPerDay',
};

/**
 * Where a tenant's effective quota comes from: its own, the platform-wide default (every tenant
 * without its own), or none (nothing is limited or counted).
 */
export const QuotaSource = z.enum(['tenant', 'platform', 'none']);
export type QuotaSource = z.infer<typeof QuotaSource>;

/**
 * The `{tenant}` that names the platform-wide default in `/tenants/{tenant}/quotas`. Not a TenantId
 * (those start with a letter or digit), so it can never be a tenant's name.
 */
export const PLATFORM_QUOTA = '*';

/** The `details` of a refusal by a quota: which limit, whose, its value and what was used. */
export const QuotaExceeded = z.object({
  quota: QuotaName,
  scope: QuotaScope,
  tenantId: TenantId,
  userId: UserId.optional().describe('With scope `user`: the user whose limit it is.'),
  limit: z.number().nonnegative(),
  used: z
    .number()
    .nonnegative()
    .describe('Counted when the limit was checked (for a charge of what was spent: including it).'),
  retryAfterSeconds: z
    .number()
    .int()
    .positive()
    .describe('When trying again may succeed (per-day limits: the next UTC midnight).'),
});
export type QuotaExceeded = z.infer<typeof QuotaExceeded>;

/** A quota as the API shows it: the effective limits and where they come from. */
export const TenantQuotaView = z.object({
  tenantId: TenantId.or(z.literal(PLATFORM_QUOTA)),
  quota: TenantQuota.nullable().describe('The limits that apply; null when nothing is limited.'),
  source: QuotaSource,
});
export type TenantQuotaView = z.infer<typeof TenantQuotaView>;

/** What one scope used: tasks now and in the last minute, and today's (UTC) daily counters. */
export const UsageCounters = z.object({
  runningTasks: z.number().int().nonnegative().describe('Tasks admitted and not yet ended.'),
  tasksLastMinute: z.number().int().nonnegative().describe('Tasks started in the last 60 s.'),
  tokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  toolCalls: z.number().int().nonnegative(),
  delegations: z.number().int().nonnegative(),
});
export type UsageCounters = z.infer<typeof UsageCounters>;

export const UserUsage = z.object({ userId: UserId, usage: UsageCounters });
export type UserUsage = z.infer<typeof UserUsage>;

/** `GET /usage`: a tenant's counters today, its quota, and (as allowed) its users' counters. */
export const TenantUsage = z.object({
  tenantId: TenantId,
  day: z.string().describe('The UTC day the daily counters are of (YYYY-MM-DD).'),
  resetsAt: z.string().datetime().describe('When the daily counters start again (UTC midnight).'),
  metered: z
    .boolean()
    .describe('Whether a quota applies: only then is anything counted (otherwise all zeros).'),
  quota: TenantQuota.nullable(),
  source: QuotaSource,
  usage: UsageCounters.describe("The tenant's totals."),
  users: z
    .array(UserUsage)
    .optional()
    .describe(
      "Per user: every user counted today for a tenant's admin, the caller alone for anyone else.",
    ),
  usersTruncated: z
    .boolean()
    .optional()
    .describe('True when more users were counted today than the answer lists.'),
});
export type TenantUsage = z.infer<typeof TenantUsage>;
