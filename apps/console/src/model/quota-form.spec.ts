import { describe, expect, it } from '@jest/globals';
import { ApiError } from '@switchboard/client';
import {
  apiFieldProblems,
  problemOf,
  quotaBody,
  quotaChangedWords,
  type QuotaForm,
  quotaFormOf,
  quotaNowWords,
} from './quota-form';

const form = (tenant: Record<string, string> = {}, perUser: Record<string, string> = {}) => {
  const f = quotaFormOf(null);
  return { tenant: { ...f.tenant, ...tenant }, perUser: { ...f.perUser, ...perUser } } as QuotaForm;
};

describe(quotaFormOf.name, () => {
  it('fills the form with a quota, empty for none', () => {
    const f = quotaFormOf({
      concurrentTasks: 10,
      costPerDayUsd: 0,
      perUser: { tasksPerMinute: 5 },
    });
    expect(f.tenant).toEqual({
      tasksPerMinute: '',
      concurrentTasks: '10',
      tokensPerDay: '',
      costPerDayUsd: '0',
      toolCallsPerDay: '',
      delegationsPerDay: '',
    });
    expect(f.perUser.tasksPerMinute).toBe('5');
    expect(Object.values(quotaFormOf(null).perUser).every((v) => v === '')).toBe(true);
  });
});

describe(quotaBody.name, () => {
  it('sends the limits given, empty ones left out (unlimited), perUser only when it has some', () => {
    expect(
      quotaBody(
        form({ concurrentTasks: ' 10 ', tokensPerDay: '2,000,000', costPerDayUsd: '$50.5' }),
      ),
    ).toEqual({
      ok: true,
      body: { concurrentTasks: 10, tokensPerDay: 2_000_000, costPerDayUsd: 50.5 },
    });
    expect(quotaBody(form({}, { concurrentTasks: '3' }))).toEqual({
      ok: true,
      body: { perUser: { concurrentTasks: 3 } },
    });
    // Nothing given: a quota that limits nothing but counts.
    expect(quotaBody(form())).toEqual({ ok: true, body: {} });
    // Cost may be 0: no spending at all.
    expect(quotaBody(form({ costPerDayUsd: '0' }))).toEqual({
      ok: true,
      body: { costPerDayUsd: 0 },
    });
  });

  it('refuses what the API refuses, each problem naming the field as the API does', () => {
    const r = quotaBody(
      form(
        { concurrentTasks: '0', tasksPerMinute: '1.5', costPerDayUsd: '-1', tokensPerDay: 'many' },
        { toolCallsPerDay: '2000000000', delegationsPerDay: '-3' },
      ),
    );
    expect(r).toEqual({
      ok: false,
      problems: [
        {
          field: 'tasksPerMinute',
          message: 'must be a whole number of at least 1 (leave it empty for no limit)',
        },
        {
          field: 'concurrentTasks',
          message: 'must be a whole number of at least 1 (leave it empty for no limit)',
        },
        { field: 'tokensPerDay', message: '"many" is not a number' },
        { field: 'costPerDayUsd', message: 'must be 0 or more dollars (0: no spending at all)' },
        { field: 'perUser.toolCallsPerDay', message: 'must be at most 1,000,000,000' },
        {
          field: 'perUser.delegationsPerDay',
          message: 'must be a whole number of at least 1 (leave it empty for no limit)',
        },
      ],
    });
    expect(quotaBody(form({ tasksPerMinute: '1000001' }))).toMatchObject({
      ok: false,
      problems: [{ field: 'tasksPerMinute', message: 'must be at most 1,000,000' }],
    });
  });
});

describe(apiFieldProblems.name, () => {
  it("reads the fields of the API's VALIDATION refusal, so each shows beside its field", () => {
    const details = {
      issues: [
        { path: 'perUser.concurrentTasks', message: 'Too small: expected number to be >0' },
        { path: '(root)', message: 'Unrecognized key: "tasksPerHour"' },
        { path: 'request body.tokensPerDay', message: 'Invalid input' },
        { nonsense: true },
      ],
    };
    const envelope = {
      code: 'VALIDATION',
      message: 'invalid request body: …',
      requestId: 'r1',
      details,
    } as const;
    const e = new ApiError(400, envelope, { method: 'PUT', path: '/tenants/acme/quotas' });
    const problems = apiFieldProblems(e);
    expect(problems).toEqual([
      { field: 'perUser.concurrentTasks', message: 'Too small: expected number to be >0' },
      { field: '(root)', message: 'Unrecognized key: "tasksPerHour"' },
      { field: 'tokensPerDay', message: 'Invalid input' },
    ]);
    expect(problemOf(problems, 'perUser.concurrentTasks')).toBe(
      'Too small: expected number to be >0',
    );
    expect(problemOf(problems, 'concurrentTasks')).toBeUndefined();
  });

  it('finds none in other refusals', () => {
    expect(
      apiFieldProblems(
        new ApiError(
          403,
          { code: 'FORBIDDEN', message: 'no' },
          { method: 'PUT', path: '/tenants/acme/quotas' },
        ),
      ),
    ).toEqual([]);
    expect(apiFieldProblems(new Error('HTTP 400'))).toEqual([]);
  });
});

describe('the quota editor in words', () => {
  const acme = { concurrentTasks: 5, perUser: { concurrentTasks: 3 } };
  it('says what applies now, and that a tenant under the platform default starts from it', () => {
    expect(quotaNowWords('acme', { tenantId: 'acme', quota: acme, source: 'tenant' })).toBe(
      "Now: the tenant's own quota: 5 concurrent tasks; each user: 3 concurrent tasks.",
    );
    expect(
      quotaNowWords('acme', {
        tenantId: 'acme',
        quota: { concurrentTasks: 20 },
        source: 'platform',
      }),
    ).toBe(
      'Now: the platform default applies to tenant acme (20 concurrent tasks); the form starts from it, and saving gives acme a quota of its own.',
    );
    expect(quotaNowWords('acme', { tenantId: 'acme', quota: null, source: 'none' })).toBe(
      'Now: no quota: nothing is limited or counted.',
    );
    expect(
      quotaNowWords('*', { tenantId: '*', quota: { tasksPerMinute: 30 }, source: 'platform' }),
    ).toBe('Now: 30 tasks a minute.');
    expect(quotaNowWords('*', { tenantId: '*', quota: null, source: 'none' })).toContain(
      'no platform default',
    );
  });

  it('says what a change did', () => {
    expect(quotaChangedWords({ tenantId: 'acme', quota: acme, source: 'tenant' })).toBe(
      'Tenant acme: 5 concurrent tasks; each user: 3 concurrent tasks (its own quota).',
    );
    expect(
      quotaChangedWords({ tenantId: 'acme', quota: { concurrentTasks: 20 }, source: 'platform' }),
    ).toBe('Tenant acme: the platform default applies now (20 concurrent tasks).');
    expect(quotaChangedWords({ tenantId: 'acme', quota: null, source: 'none' })).toBe(
      'Tenant acme: no quota now; nothing is limited or counted.',
    );
    expect(
      quotaChangedWords({ tenantId: '*', quota: { concurrentTasks: 20 }, source: 'platform' }),
    ).toBe('Platform default (*): 20 concurrent tasks.');
    expect(quotaChangedWords({ tenantId: '*', quota: null, source: 'none' })).toBe(
      'Platform default (*): none now; tenants without a quota of their own are not limited or counted.',
    );
  });
});
