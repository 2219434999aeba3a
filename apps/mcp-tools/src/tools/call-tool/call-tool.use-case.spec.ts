import { describe, expect, it } from '@jest/globals';
import {
  type Actor,
  DomainError,
  type NatsIdentity,
  isDomainError,
  Tenancy,
  type Tools,
} from '@switchboard/contracts';
import { type AuditTrail, recordIdFor } from '@switchboard/messaging';
import type {
  CallApprovalChecker,
  ConfirmedApproval,
} from '../../approvals/call-approval.checker.js';
import type { RegisteredTool, ToolRegistry } from '../../registry/tool-registry.service.js';
import type { ToolCallQuota } from '../../quotas/tool-call.quota.js';
import type { IdempotencyService, OnceSettings } from '../idempotency.service.js';
import type { ToolAccessChecker } from '../tool-access.checker.js';
import type { ToolRunner } from '../tool-runner.js';
import type { ToolMetrics } from '../tool.metrics.js';
import { CallToolUseCase } from './call-tool.use-case.js';

const alice: Actor = { userId: 'alice', role: 'user' };
const calculator = {
  definition: { name: 'calculator', requiredCredentials: [] },
  implementation: {},
  sourceId: 'builtin',
  needs: [],
} as unknown as RegisteredTool;
/** A tool that writes its call's record in the statement of its effect, as notes.add does. */
const recording = {
  definition: { name: 'notes.add', requiredCredentials: [] },
  implementation: { keyed: true, completesItsCall: true },
  sourceId: 'builtin',
  needs: [],
} as unknown as RegisteredTool;

/** The use case over collaborators the test scripts, and what it counted and audited. */
function setup(
  opts: {
    refuse?: DomainError;
    fail?: unknown;
    replayed?: boolean;
    approval?: ConfirmedApproval | DomainError;
    /** What the tenant's toolCallsPerDay says (default: admitted). */
    quota?: DomainError;
    /** Whether a quota may count the tenant's calls (default: known to be unlimited). */
    limited?: boolean;
  } = {},
) {
  const audits: Record<string, unknown>[] = [];
  let onceRuns = 0;
  const reports: Record<string, unknown>[] = [];
  const registry = {
    get: (name: string) => [calculator, recording].find((t) => t.definition.name === name),
  } as unknown as ToolRegistry;
  const access = {
    assertCallable: async () => {
      if (opts.refuse) throw opts.refuse;
    },
  } as unknown as ToolAccessChecker;
  let runs = 0;
  const runner = {
    validateInput: () => undefined,
    run: async () => {
      runs++;
      if (opts.fail) throw opts.fail;
      return { output: { result: 391 } };
    },
    // As the real one: a DomainError stays (scrubbed), anything else is INTERNAL.
    safeError: (_r: unknown, e: unknown) =>
      isDomainError(e) ? e : new DomainError('INTERNAL', 'tool failed unexpectedly'),
  } as unknown as ToolRunner;
  /** Who the approval check and the idempotency store were asked for. */
  const callers: { approvals: unknown[]; once: unknown[] } = { approvals: [], once: [] };
  /** The settings each call was run under by the idempotency store. */
  const settingsSeen: OnceSettings[] = [];
  const approvals = {
    assertApproved: async (_t: unknown, _r: unknown, actor: Actor) => {
      callers.approvals.push(actor);
      if (opts.approval instanceof DomainError) throw opts.approval;
      return opts.approval;
    },
    // No call here carries an answer to a server's question (mcp-question.spec, the e2e spec).
    assertAnswered: async () => undefined,
  } as unknown as CallApprovalChecker;
  const once = {
    run: async (
      _d: unknown,
      _r: unknown,
      actor: Actor,
      fn: () => Promise<unknown>,
      settings: OnceSettings,
    ) => {
      callers.once.push(actor);
      settingsSeen.push(settings);
      onceRuns++;
      // As the real one: a repeat answered from the store is neither admitted nor run.
      if (opts.replayed) return { result: { output: { result: 391 } }, replayed: true };
      await settings.admit?.();
      return { result: await fn(), replayed: false };
    },
  } as unknown as IdempotencyService;
  const taken: unknown[] = [];
  const quota = {
    take: async (actor: Actor) => {
      taken.push(actor);
      if (opts.quota) throw opts.quota;
    },
    limits: () => opts.limited === true,
  } as unknown as ToolCallQuota;
  /** The records built to go back in a reply (not published). */
  const built: Record<string, unknown>[] = [];
  const audit = {
    record: async (r: Record<string, unknown>) => void audits.push(r),
    // as the real one fills it (the id from the onceKey)
    build: ({ onceKey, ...r }: Record<string, unknown>) => {
      built.push({ ...r, onceKey });
      return {
        ...r,
        id: recordIdFor(String(onceKey)),
        at: new Date().toISOString(),
        source: 'mcp-tools',
        actor: { userId: 'alice', role: 'user' },
      };
    },
  } as unknown as AuditTrail;
  const metrics = {
    record: (r: Record<string, unknown>) => void reports.push(r),
  } as unknown as ToolMetrics;
  const sut = new CallToolUseCase(registry, access, approvals, runner, once, audit, metrics, quota);
  return {
    sut,
    audits,
    built,
    reports,
    callers,
    taken,
    settingsSeen,
    onceRuns: () => onceRuns,
    runs: () => runs,
  };
}

const call = (
  tool = 'calculator',
  extra: Partial<Tools.ToolCallRequest> = {},
): Tools.ToolCallRequest =>
  ({
    tool,
    input: { expression: '17 * 23' },
    taskId: 't1',
    stepId: 's1',
    ...extra,
  }) as Tools.ToolCallRequest;

describe(CallToolUseCase.name, () => {
  it('lets a tool write its record in the statement of its effect only where no quota may count the call', async () => {
    const free = setup();
    await free.sut.execute(alice, call('notes.add', { idempotencyKey: 't1:s1' }));
    await free.sut.execute(alice, call('calculator'));
    const limited = setup({ limited: true });
    await limited.sut.execute(alice, call('notes.add', { idempotencyKey: 't1:s1' }));
    expect(free.settingsSeen.map((s) => s.completesItsCall)).toEqual([true, false]);
    expect(limited.settingsSeen.map((s) => s.completesItsCall)).toEqual([false]);
  });

  it('runs a permitted tool, counts it and audits one success', async () => {
    const { sut, audits, reports } = setup();
    await expect(sut.execute(alice, call())).resolves.toMatchObject({
      tool: 'calculator',
      output: { result: 391 },
      replayed: false,
    });
    expect(reports).toEqual([expect.objectContaining({ tool: 'calculator', outcome: 'ok' })]);
    expect(audits).toEqual([
      expect.objectContaining({ action: 'tool.call', outcome: 'success', taskId: 't1' }),
    ]);
  });

  it('audits a retry answered from the idempotency store once, as the same call', async () => {
    const { sut, audits, reports, taken } = setup({ replayed: true });
    await sut.execute(alice, call('calculator', { idempotencyKey: 'k1' }));
    expect(reports[0]).toMatchObject({ outcome: 'replayed' });
    expect(audits[0]).toMatchObject({ onceKey: 'tool.call:alice:k1', details: { replayed: true } });
    // Not another call: nothing taken from toolCallsPerDay.
    expect(taken).toEqual([]);
  });

  it("takes one of the caller's toolCallsPerDay before the tool runs", async () => {
    const { sut, taken } = setup();
    const acmeAlice: Actor = { ...alice, tenantId: 'acme' };
    await sut.execute(acmeAlice, call());
    expect(taken).toEqual([acmeAlice]);
  });

  it('refuses a call over toolCallsPerDay as RATE_LIMITED naming the quota, audited denied, the tool not run', async () => {
    const refusal = Tenancy.quotaExceededError({
      quota: 'toolCallsPerDay',
      scope: 'tenant',
      tenantId: 'acme',
      limit: 5,
      used: 5,
      retryAfterSeconds: 3_600,
    });
    const { sut, audits, reports, runs } = setup({ quota: refusal });
    await expect(sut.execute({ ...alice, tenantId: 'acme' }, call())).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      details: { quota: 'toolCallsPerDay', limit: 5, used: 5 },
    });
    expect(runs()).toBe(0);
    expect(reports[0]).toMatchObject({ outcome: 'RATE_LIMITED' });
    expect(audits).toEqual([
      expect.objectContaining({
        action: 'tool.call',
        outcome: 'denied',
        details: expect.objectContaining({
          code: 'RATE_LIMITED',
          quota: expect.objectContaining({ quota: 'toolCallsPerDay', tenantId: 'acme' }),
        }),
      }),
    ]);
  });

  it("checks approval and keys the call in the caller's tenant; its audit record id is the tenant's", async () => {
    const { sut, audits, callers } = setup({ replayed: true });
    const acmeAlice: Actor = { ...alice, tenantId: 'acme' };
    await sut.execute(acmeAlice, call('calculator', { idempotencyKey: 'k1' }));
    expect(callers).toEqual({ approvals: [acmeAlice], once: [acmeAlice] });
    // Not the default tenant's alice's record for the same key: another call, another record.
    expect(audits[0]).toMatchObject({ onceKey: 'tool.call:acme/alice:k1' });
  });

  it('refuses an unknown tool as NOT_FOUND, counted under "unknown" (no unbounded label)', async () => {
    const { sut, audits, reports } = setup();
    await expect(sut.execute(alice, call('rm -rf'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { refusal: 'unknown-tool' },
    });
    expect(reports[0]).toMatchObject({ tool: 'unknown', outcome: 'NOT_FOUND' });
    expect(audits[0]).toMatchObject({ outcome: 'failure', resource: 'rm -rf' });
  });

  it('audits a refusal by the access rules as denied', async () => {
    const refuse = new DomainError('FORBIDDEN', 'not offered to this task');
    const { sut, audits } = setup({ refuse });
    await expect(sut.execute(alice, call())).rejects.toBe(refuse);
    expect(audits[0]).toMatchObject({ outcome: 'denied', details: { code: 'FORBIDDEN' } });
  });

  it('refuses a call its approval does not cover before the idempotency store: nothing stored, audited denied with why', async () => {
    const refusal = new DomainError('FORBIDDEN', 'tool calculator needs approval', {
      details: { tool: 'calculator', taskId: 't1', reason: 'approval-missing' },
    });
    const { sut, audits, onceRuns } = setup({ approval: refusal });
    await expect(
      sut.execute(alice, call('calculator', { idempotencyKey: 'key-0001' })),
    ).rejects.toBe(refusal);
    expect(onceRuns()).toBe(0);
    expect(audits).toEqual([
      expect.objectContaining({
        category: 'tool',
        outcome: 'denied',
        taskId: 't1',
        details: expect.objectContaining({
          tool: 'calculator',
          taskId: 't1',
          reason: 'approval-missing',
        }) as unknown,
      }),
    ]);
    // The arguments stay out of the trail.
    expect(JSON.stringify(audits)).not.toContain('17 * 23');
  });

  it('runs an approved call and audits who approved it', async () => {
    const { sut, audits, onceRuns } = setup({
      approval: { approvalId: 'a1', decidedBy: 'bob' },
    });
    await expect(sut.execute(alice, call())).resolves.toMatchObject({ output: { result: 391 } });
    expect(onceRuns()).toBe(1);
    expect(audits[0]).toMatchObject({
      outcome: 'success',
      details: { approvalId: 'a1', approvedBy: 'bob' },
    });
  });

  it('turns what a tool throws into INTERNAL without its text', async () => {
    const { sut, audits } = setup({ fail: new TypeError('secret-token-123 broke') });
    const e = await sut.execute(alice, call()).catch((x: unknown) => x as DomainError);
    expect(e).toMatchObject({ code: 'INTERNAL', message: 'tool failed unexpectedly' });
    expect(JSON.stringify(audits)).not.toContain('secret-token-123');
  });

  describe('the success record in the reply (auditInReply)', () => {
    const task = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
    const keyed = (extra: Partial<Tools.ToolCallRequest> = {}) =>
      call('calculator', {
        taskId: task,
        idempotencyKey: `${task}:s1`,
        auditInReply: true,
        ...extra,
      });

    it('hands it back to the orchestrator instead of publishing it: same record id as its repeats', async () => {
      const { sut, audits, built } = setup();
      const res = await sut.execute(alice, keyed(), 'orchestrator');
      expect(audits).toEqual([]);
      expect(built).toEqual([
        expect.objectContaining({
          category: 'tool',
          action: 'tool.call',
          outcome: 'success',
          taskId: task,
          onceKey: `tool.call:alice:${task}:s1`,
        }),
      ]);
      const id = recordIdFor(`tool.call:alice:${task}:s1`);
      expect(res.audit).toMatchObject({ id, taskId: task, source: 'mcp-tools' });
      // a repeat answered from the store brings back the same record
      const repeat = await setup({ replayed: true }).sut.execute(alice, keyed(), 'orchestrator');
      expect(repeat.audit).toMatchObject({ id, details: { replayed: true } });
    });

    it('publishes it as without the flag for any other caller, or a call without a key or a task', async () => {
      const cases: [Tools.ToolCallRequest, NatsIdentity | undefined][] = [
        [keyed(), 'gateway'],
        [keyed(), undefined],
        [keyed({ idempotencyKey: undefined }), 'orchestrator'],
        [keyed({ taskId: undefined }), 'orchestrator'],
        [keyed({ auditInReply: undefined }), 'orchestrator'],
      ];
      for (const [req, replyTo] of cases) {
        const { sut, audits, built } = setup();
        const res = await sut.execute(alice, req, replyTo);
        expect(res.audit).toBeUndefined();
        expect(built).toEqual([]);
        expect(audits).toEqual([expect.objectContaining({ outcome: 'success' })]);
      }
    });

    it("publishes a failure or a refusal of the orchestrator's call as always (no step commit to ride with)", async () => {
      const failing = setup({ fail: new DomainError('UPSTREAM_UNAVAILABLE', 'shop down') });
      await expect(failing.sut.execute(alice, keyed(), 'orchestrator')).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
      });
      expect(failing.audits).toEqual([expect.objectContaining({ outcome: 'failure' })]);
      const refused = setup({ refuse: new DomainError('FORBIDDEN', 'not offered') });
      await expect(refused.sut.execute(alice, keyed(), 'orchestrator')).rejects.toThrow();
      expect(refused.audits).toEqual([expect.objectContaining({ outcome: 'denied' })]);
      expect([...failing.built, ...refused.built]).toEqual([]);
    });
  });
});
