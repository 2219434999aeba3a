import { describe, expect, it } from '@jest/globals';
import { ApiError } from '@switchboard/client';
import { type QuotaRefusal, quotaRefusalOf, quotaRefusalWords, waitWords } from './quota-refusal';

const BODY = {
  code: 'RATE_LIMITED',
  message:
    'quota tasksPerMinute of tenant acme reached: 1 used of 1 tasks per minute; retry in 42 s',
  details: {
    quota: 'tasksPerMinute',
    scope: 'tenant',
    tenantId: 'acme',
    limit: 1,
    used: 1,
    retryAfterSeconds: 42,
  },
  requestId: 'r1',
};
const REFUSAL: QuotaRefusal = {
  quota: 'tasksPerMinute',
  scope: 'tenant',
  tenantId: 'acme',
  limit: 1,
  used: 1,
  retryAfterSeconds: 42,
  code: BODY.code,
  message: BODY.message,
};

/** What @ag-ui/client's HttpAgent rejects with for a 429 (its `payload` is the JSON body). */
const agUiError = (payload: unknown) =>
  Object.assign(new Error(`HTTP 429: ${JSON.stringify(payload)}`), { status: 429, payload });

describe(quotaRefusalOf.name, () => {
  it("reads the 429's details from an AG-UI client error, an ApiError, or the error's text", () => {
    expect(quotaRefusalOf(agUiError(BODY))).toEqual(REFUSAL);
    expect(
      quotaRefusalOf(
        new ApiError(
          429,
          { code: 'RATE_LIMITED', message: BODY.message, requestId: 'r1', details: BODY.details },
          { method: 'POST', path: '/orchestrate' },
        ),
      ),
    ).toEqual(REFUSAL);
    expect(quotaRefusalOf(new Error(`HTTP 429: ${JSON.stringify(BODY)}`))).toEqual(REFUSAL);
  });

  it('keeps the user of a per-user limit', () => {
    const user = { ...BODY, details: { ...BODY.details, scope: 'user', userId: 'ada' } };
    expect(quotaRefusalOf(agUiError(user))).toMatchObject({ scope: 'user', userId: 'ada' });
  });

  it('is no refusal for other errors (a plain 429 of the rate limiter, a 400, no JSON)', () => {
    expect(
      quotaRefusalOf(agUiError({ code: 'RATE_LIMITED', message: 'slow down' })),
    ).toBeUndefined();
    expect(
      quotaRefusalOf(agUiError({ ...BODY, details: { ...BODY.details, quota: 'other' } })),
    ).toBeUndefined();
    expect(
      quotaRefusalOf(
        new ApiError(400, { code: 'VALIDATION', message: 'bad' }, { method: 'POST', path: '/x' }),
      ),
    ).toBeUndefined();
    expect(quotaRefusalOf(new Error('Failed to fetch'))).toBeUndefined();
    expect(quotaRefusalOf('nope')).toBeUndefined();
  });
});

describe(quotaRefusalWords.name, () => {
  it('names the limit, whose it is, and when to try again', () => {
    const now = new Date(2026, 10, 25, 14, 2, 30).getTime();
    expect(quotaRefusalWords(REFUSAL, now)).toEqual({
      title: 'Over quota',
      text: 'Tenant acme has reached its limit of 1 task a minute (1 used; quota tasksPerMinute). Try again in 42 s, at 14:03:12.',
    });
    const perUser = {
      ...REFUSAL,
      quota: 'concurrentTasks' as const,
      scope: 'user' as const,
      userId: 'ada',
      limit: 2,
      used: 2,
      retryAfterSeconds: 5,
    };
    expect(quotaRefusalWords(perUser, now).text).toBe(
      'User ada of tenant acme has reached the per-user limit of 2 concurrent tasks (2 used; quota concurrentTasks). Try again in 5 s, at 14:02:35.',
    );
    const budget = {
      ...REFUSAL,
      code: 'BUDGET_EXCEEDED',
      quota: 'costPerDayUsd' as const,
      limit: 5,
      used: 5.2,
    };
    expect(quotaRefusalWords(budget, now)).toMatchObject({ title: 'Over budget' });
    expect(quotaRefusalWords(budget, now).text).toContain('its limit of $5.00 a day ($5.20 used;');
  });

  it('says a wait in seconds, minutes or hours', () => {
    expect(waitWords(0.2)).toBe('1 s');
    expect(waitWords(59)).toBe('59 s');
    expect(waitWords(60)).toBe('1 min');
    expect(waitWords(303)).toBe('5 min 3 s');
    expect(waitWords(7 * 3_600 + 11 * 60 + 20)).toBe('7 h 12 min');
    expect(waitWords(3_600)).toBe('1 h');
  });
});
