import type { Tenancy } from '@switchboard/contracts';
import { ApiError } from '@switchboard/client';
import type { FieldProblem } from './approval-policies';
import { PLATFORM_QUOTA } from './tenant';
import { COUNTERS, type QuotaName, quotaWords, sourceWords, type TenantQuota } from './usage';

export type { FieldProblem };
/** A quota as `/tenants/{tenant}/quotas` answers it: the one that applies, and where it comes from. */
export type TenantQuotaView = Tenancy.TenantQuotaView;

/** The quota editor's limits, with the rules the API applies (libs/contracts quota.schemas.ts). */
export const LIMITS: readonly {
  quota: QuotaName;
  label: string;
  /** Counts are whole numbers ≥ 1; cost is dollars ≥ 0. */
  whole: boolean;
  max: number;
}[] = [
  { quota: 'tasksPerMinute', label: 'Tasks per minute', whole: true, max: 1_000_000 },
  { quota: 'concurrentTasks', label: 'Concurrent tasks', whole: true, max: 1_000_000 },
  { quota: 'tokensPerDay', label: 'Tokens per day', whole: true, max: 1_000_000_000_000 },
  { quota: 'costPerDayUsd', label: 'Cost per day (USD)', whole: false, max: 1_000_000_000 },
  { quota: 'toolCallsPerDay', label: 'Tool calls per day', whole: true, max: 1_000_000_000 },
  { quota: 'delegationsPerDay', label: 'Delegations per day', whole: true, max: 1_000_000_000 },
];

type Limits = Record<QuotaName, string>;

/** The form as the page holds it: each limit as typed, for the tenant and for each user (empty: unlimited). */
export interface QuotaForm {
  tenant: Limits;
  perUser: Limits;
}

export type QuotaScope = keyof QuotaForm;

/** The field's name as the API names it: `concurrentTasks`, `perUser.concurrentTasks`. */
export const fieldOf = (scope: QuotaScope, quota: QuotaName): string =>
  scope === 'perUser' ? `perUser.${quota}` : quota;

const emptyLimits = (): Limits =>
  Object.fromEntries(COUNTERS.map(({ quota }) => [quota, ''])) as Limits;

const limitsOf = (l: Partial<Record<QuotaName, number>> | undefined): Limits => {
  const out = emptyLimits();
  for (const { quota } of LIMITS) {
    const n = l?.[quota];
    if (n !== undefined) out[quota] = String(n);
  }
  return out;
};

/** The form filled with a quota (empty everywhere for none). */
export function quotaFormOf(q: TenantQuota | null | undefined): QuotaForm {
  return { tenant: limitsOf(q ?? undefined), perUser: limitsOf(q?.perUser) };
}

/** One limit as typed: its value, nothing (unlimited), or what is wrong with it. */
function limitOf(
  text: string,
  rule: (typeof LIMITS)[number],
): { value?: number; problem?: string } {
  const t = text.trim().replace(/[\s,_]/g, '');
  if (!t) return {};
  const n = Number(t.replace(/^\$/, ''));
  if (!Number.isFinite(n)) return { problem: `"${text.trim()}" is not a number` };
  if (rule.whole && (!Number.isInteger(n) || n < 1))
    return { problem: 'must be a whole number of at least 1 (leave it empty for no limit)' };
  if (!rule.whole && n < 0) return { problem: 'must be 0 or more dollars (0: no spending at all)' };
  if (n > rule.max) return { problem: `must be at most ${rule.max.toLocaleString('en-US')}` };
  return { value: n };
}

function limitsFrom(
  l: Limits,
  scope: QuotaScope,
  problems: FieldProblem[],
): Partial<Record<QuotaName, number>> {
  const out: Partial<Record<QuotaName, number>> = {};
  for (const rule of LIMITS) {
    const { value, problem } = limitOf(l[rule.quota], rule);
    if (problem) problems.push({ field: fieldOf(scope, rule.quota), message: problem });
    else if (value !== undefined) out[rule.quota] = value;
  }
  return out;
}

/**
 * The body of `PUT /tenants/{tenant}/quotas` for the form, or the problems to show instead, each
 * naming the field as the API does. Every field empty is `{}`: a quota that limits nothing but counts.
 */
export function quotaBody(
  f: QuotaForm,
): { ok: true; body: TenantQuota } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const tenant = limitsFrom(f.tenant, 'tenant', problems);
  const perUser = limitsFrom(f.perUser, 'perUser', problems);
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    body: { ...tenant, ...(Object.keys(perUser).length ? { perUser } : {}) },
  };
}

/**
 * The fields a refusal of the API names (VALIDATION's `details.issues`: `{path, message}`), so the
 * editor shows each beside its field; an issue of no field of the form (`(root)`) keeps its path.
 */
export function apiFieldProblems(e: unknown): FieldProblem[] {
  if (!(e instanceof ApiError)) return [];
  const issues = e.details?.['issues'];
  if (!Array.isArray(issues)) return [];
  return issues.flatMap((i: unknown) => {
    if (typeof i !== 'object' || i === null) return [];
    const { path, message } = i as { path?: unknown; message?: unknown };
    if (typeof path !== 'string' || typeof message !== 'string') return [];
    return [{ field: path.replace(/^request body\.?/, '') || '(root)', message }];
  });
}

/** The problems of one field, joined for the line under it. */
export function problemOf(problems: readonly FieldProblem[], field: string): string | undefined {
  const mine = problems.filter((p) => p.field === field).map((p) => p.message);
  return mine.length ? mine.join('; ') : undefined;
}

/**
 * What applies now to the quota the editor is on; for a tenant under the platform default, that the
 * form starts from it and saving gives the tenant a quota of its own.
 */
export function quotaNowWords(name: string, v: TenantQuotaView): string {
  if (name === PLATFORM_QUOTA)
    return v.source === 'platform'
      ? `Now: ${quotaWords(v.quota)}.`
      : 'Now: no platform default; tenants without a quota of their own are not limited or counted.';
  if (v.source === 'platform')
    return `Now: the platform default applies to tenant ${name} (${quotaWords(v.quota)}); the form starts from it, and saving gives ${name} a quota of its own.`;
  return `Now: ${sourceWords(v.source)}${v.quota ? `: ${quotaWords(v.quota)}` : ''}.`;
}

/** What a change did, in one line: "Tenant acme: 2 concurrent tasks (its own quota)." */
export function quotaChangedWords(v: TenantQuotaView): string {
  if (v.tenantId === PLATFORM_QUOTA)
    return v.source === 'platform'
      ? `Platform default (*): ${quotaWords(v.quota)}.`
      : 'Platform default (*): none now; tenants without a quota of their own are not limited or counted.';
  const whose = `Tenant ${v.tenantId}`;
  if (v.source === 'tenant') return `${whose}: ${quotaWords(v.quota)} (its own quota).`;
  if (v.source === 'platform')
    return `${whose}: the platform default applies now (${quotaWords(v.quota)}).`;
  return `${whose}: no quota now; nothing is limited or counted.`;
}
