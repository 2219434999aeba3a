import type { Tenancy } from '@switchboard/contracts';
import { ApiError } from '@switchboard/client';
import { formatTime } from './format';
import { amountText, limitWords } from './usage';

/** A submission refused by a tenant quota: the 429's `details` (Tenancy.QuotaExceeded), its code and message. */
export interface QuotaRefusal extends Tenancy.QuotaExceeded {
  code: string;
  message: string;
}

// The contracts' quota names, keyed by their type: one the contracts add is a type error here.
const QUOTAS = new Set<string>(
  Object.keys({
    tasksPerMinute: true,
    concurrentTasks: true,
    tokensPerDay: true,
    costPerDayUsd: true,
    toolCallsPerDay: true,
    delegationsPerDay: true,
  } satisfies Record<Tenancy.QuotaName, true>),
);

type Envelope = { code?: unknown; message?: unknown; details?: unknown };

/** The error envelope an error carries: an ApiError's, or an AG-UI client error's (`payload`, or "HTTP 429: {…}"). */
function envelopeOf(e: unknown): Envelope | undefined {
  if (e instanceof ApiError) return { code: e.code, message: e.message, details: e.details };
  if (typeof e !== 'object' || e === null) return undefined;
  const payload = (e as { payload?: unknown }).payload;
  if (typeof payload === 'object' && payload !== null) return payload as Envelope;
  const text = e instanceof Error ? e.message : '';
  const brace = text.indexOf('{');
  if (brace < 0) return undefined;
  try {
    return JSON.parse(text.slice(brace)) as Envelope;
  } catch {
    return undefined;
  }
}

/** The quota refusal an error is, if it is one (RATE_LIMITED or BUDGET_EXCEEDED naming a quota). */
export function quotaRefusalOf(e: unknown): QuotaRefusal | undefined {
  const body = envelopeOf(e);
  const d = body?.details as Partial<Tenancy.QuotaExceeded> | undefined;
  if (!body || typeof d !== 'object' || d === null) return undefined;
  if (typeof d.quota !== 'string' || !QUOTAS.has(d.quota)) return undefined;
  if (typeof d.limit !== 'number' || typeof d.used !== 'number') return undefined;
  if (typeof d.tenantId !== 'string' || typeof d.retryAfterSeconds !== 'number') return undefined;
  return {
    quota: d.quota,
    scope: d.scope === 'user' ? 'user' : 'tenant',
    tenantId: d.tenantId,
    ...(typeof d.userId === 'string' ? { userId: d.userId } : {}),
    limit: d.limit,
    used: d.used,
    retryAfterSeconds: d.retryAfterSeconds,
    code: typeof body.code === 'string' ? body.code : 'RATE_LIMITED',
    message: typeof body.message === 'string' ? body.message : '',
  };
}

/** A wait in words: "42 s", "5 min 3 s", "7 h 12 min". */
export function waitWords(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3_600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.ceil((s % 3_600) / 60);
  return `${Math.floor(s / 3_600)} h${m ? ` ${m} min` : ''}`;
}

/**
 * The refusal for the page: which limit of whom was reached, and when to try again — "Tenant acme has
 * reached its limit of 1 task a minute (1 used; quota tasksPerMinute). Try again in 42 s, at 14:03:12."
 */
export function quotaRefusalWords(r: QuotaRefusal, now: number): { title: string; text: string } {
  const who =
    r.scope === 'user'
      ? `User ${r.userId ?? '?'} of tenant ${r.tenantId} has reached the per-user limit`
      : `Tenant ${r.tenantId} has reached its limit`;
  const at = formatTime(new Date(now + r.retryAfterSeconds * 1_000).toISOString()).slice(0, 8);
  const retry = `Try again in ${waitWords(r.retryAfterSeconds)}, at ${at}.`;
  return {
    title: r.code === 'BUDGET_EXCEEDED' ? 'Over budget' : 'Over quota',
    text: `${who} of ${limitWords(r.quota, r.limit)} (${amountText(r.quota, r.used)} used; quota ${r.quota}). ${retry}`,
  };
}
