import { jest } from '@jest/globals';
import { DomainError, type ErrorBody } from '@switchboard/contracts';
import { createLogger } from '@switchboard/observability';
import type { AuditTrail, NatsBus } from '@switchboard/messaging';
import type { CallRecord } from '../registry/tool-implementation.js';
import { IdempotencyService, LEASE_STALE_MS } from './idempotency.service.js';
import { TaskCancellations } from './task-cancellations.js';
import type { CallClaim, CallKey, ToolCallRepository } from './tool-call.repository.js';
import { FINISH_GRACE_MS } from './tool-timeouts.js';

const logger = createLogger({
  service: 'mcp-tools',
  instance: 't',
  level: 'silent',
  pretty: false,
});

interface Row {
  userId: string;
  tool: string;
  status: 'running' | 'completed' | 'failed' | 'interrupted' | 'refused';
  startedAt: Date;
  /** How long the database says it has run (default: since startedAt by this clock). */
  runningForMs?: number;
  /** The replica running it, and the age of its lease (absent: a call without a lease). */
  owner?: string;
  leaseAgeMs?: number;
  output?: unknown;
  error?: ErrorBody;
}

/** A row's place in InMemoryCalls: its tenant and key (the default tenant unless named). */
const at = (key: string, tenantId = 'default') => `${tenantId}/${key}`;
const slot = (call: CallKey) => at(call.key, call.tenantId);

/** The repository's contract over a Map; `reads` counts how often a repeat looked at the row. */
class InMemoryCalls {
  readonly rows = new Map<string, Row>();
  reads = 0;
  onRead: (row: Row) => void = () => undefined;

  async claim(call: CallKey, userId: string, tool: string, owner: string): Promise<CallClaim> {
    const row = this.rows.get(slot(call));
    // As the statement: a call refused before it ran is claimed again by the same user and tool.
    if (!row || (row.status === 'refused' && row.userId === userId && row.tool === tool)) {
      this.rows.set(slot(call), { userId, tool, status: 'running', startedAt: new Date(), owner });
      return { state: 'new' };
    }
    return this.read(call, userId, tool);
  }
  /** Leases are renewed by the service's timer, which these tests do not start. */
  renew(): Promise<void> {
    return Promise.resolve();
  }
  async takeOver(call: CallKey, owner: string, staleMs: number): Promise<boolean> {
    const row = this.rows.get(slot(call))!;
    if (row.status !== 'running' || (row.leaseAgeMs ?? 0) <= staleMs) return false;
    Object.assign(row, { owner, leaseAgeMs: 0, startedAt: new Date(), runningForMs: undefined });
    return true;
  }
  async read(call: CallKey, userId: string, tool: string): Promise<CallClaim> {
    const row = this.rows.get(slot(call))!;
    this.reads++;
    this.onRead(row);
    if (row.userId !== userId || row.tool !== tool) throw new DomainError('CONFLICT', 'other call');
    if (row.status === 'completed') return { state: 'completed', output: row.output };
    if (row.status === 'running') {
      const runningForMs = row.runningForMs ?? Date.now() - row.startedAt.getTime();
      return {
        state: 'running',
        startedAt: row.startedAt,
        runningForMs,
        ...(row.leaseAgeMs === undefined ? {} : { leaseAgeMs: row.leaseAgeMs }),
      };
    }
    return { state: 'failed', error: row.error! };
  }
  async complete(call: CallKey, output: unknown): Promise<void> {
    Object.assign(this.rows.get(slot(call))!, { status: 'completed', output });
  }
  async fail(call: CallKey, error: ErrorBody): Promise<void> {
    Object.assign(this.rows.get(slot(call))!, { status: 'failed', error });
  }
  async refuse(call: CallKey, error: ErrorBody): Promise<void> {
    Object.assign(this.rows.get(slot(call))!, { status: 'refused', error });
  }
  async interrupt(call: CallKey, error: ErrorBody): Promise<boolean> {
    const row = this.rows.get(slot(call))!;
    if (row.status !== 'running') return false;
    Object.assign(row, { status: 'interrupted', error });
    return true;
  }
}

const TOOL = { name: 'orders.place', idempotent: false, timeoutMs: 5_000 };
/** Alice of the default tenant (an actor naming no tenant), and her namesake in tenant acme. */
const alice = { userId: 'alice' };
const acmeAlice = { userId: 'alice', tenantId: 'acme' };

function setup() {
  const calls = new InMemoryCalls();
  const audit = { record: async () => undefined } as unknown as AuditTrail;
  const cancellations = new TaskCancellations({} as NatsBus, audit, logger);
  const sut = new IdempotencyService(
    calls as unknown as ToolCallRepository,
    cancellations,
    logger,
    { service: 'mcp-tools', instance: 'replica-b', version: 't', startedAt: 0 },
  );
  let runs = 0;
  const execute = async () => ({ output: { order: ++runs } });
  return { calls, cancellations, sut, execute, runs: () => runs };
}

describe(IdempotencyService.name, () => {
  it('runs a keyed call once and replays its result; idempotent or unkeyed calls always run', async () => {
    const t = setup();
    const req = { idempotencyKey: 'task-1:s1' };
    expect(await t.sut.run(TOOL, req, alice, t.execute)).toEqual({
      result: { output: { order: 1 } },
      replayed: false,
    });
    expect(await t.sut.run(TOOL, req, alice, t.execute)).toEqual({
      result: { output: { order: 1 } },
      replayed: true,
    });
    await t.sut.run({ ...TOOL, idempotent: true }, req, alice, t.execute);
    await t.sut.run(TOOL, {}, alice, t.execute);
    expect(t.runs()).toBe(3);
  });

  it('keeps a key per tenant: the same key under another tenant is an independent call', async () => {
    const t = setup();
    const req = { idempotencyKey: 'task-1:s1' };
    expect(await t.sut.run(TOOL, req, alice, t.execute)).toEqual({
      result: { output: { order: 1 } },
      replayed: false,
    });
    // The same user id and key in tenant acme: never the default tenant's stored result.
    expect(await t.sut.run(TOOL, req, acmeAlice, t.execute)).toEqual({
      result: { output: { order: 2 } },
      replayed: false,
    });
    expect([...t.calls.rows.keys()].sort()).toEqual([at('task-1:s1', 'acme'), at('task-1:s1')]);
    // Each tenant's repeat gets its own call's result.
    expect((await t.sut.run(TOOL, req, acmeAlice, t.execute)).result).toEqual({
      output: { order: 2 },
    });
    expect((await t.sut.run(TOOL, req, alice, t.execute)).result).toEqual({
      output: { order: 1 },
    });
    expect(t.runs()).toBe(2);
  });

  it("never waits for, takes over or interrupts another tenant's running call under the same key", async () => {
    const t = setup();
    // Acme's call under the key, its replica gone: the default tenant's call is not its repeat.
    t.calls.rows.set(at('task-1:s10', 'acme'), {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt: new Date(Date.now() - 1_000),
      owner: 'replica-a',
      leaseAgeMs: LEASE_STALE_MS + 1,
    });
    expect(await t.sut.run(TOOL, { idempotencyKey: 'task-1:s10' }, alice, t.execute)).toEqual({
      result: { output: { order: 1 } },
      replayed: false,
    });
    expect(t.calls.rows.get(at('task-1:s10', 'acme'))).toMatchObject({
      status: 'running',
      owner: 'replica-a',
    });
    expect(t.calls.reads).toBe(0);
  });

  it('admits each call that runs once, never a repeat; a refused keyed call is not its outcome', async () => {
    const t = setup();
    let admitted = 0;
    let full = true;
    const admit = async () => {
      if (full) throw new DomainError('RATE_LIMITED', 'quota toolCallsPerDay reached');
      admitted++;
    };
    const req = { idempotencyKey: 'task-1:s9' };
    await expect(t.sut.run(TOOL, req, alice, t.execute, { admit })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(t.runs()).toBe(0);
    expect(t.calls.rows.get(at('task-1:s9'))).toMatchObject({ status: 'refused' });
    // Admitted later (the quota was raised, or a new day): the same key runs now, once.
    full = false;
    expect(await t.sut.run(TOOL, req, alice, t.execute, { admit })).toEqual({
      result: { output: { order: 1 } },
      replayed: false,
    });
    expect(await t.sut.run(TOOL, req, alice, t.execute, { admit })).toMatchObject({
      replayed: true,
    });
    // Unkeyed calls are admitted every time.
    await t.sut.run(TOOL, {}, alice, t.execute, { admit });
    expect(admitted).toBe(2);
    expect(t.runs()).toBe(2);
  });

  it('replays a failure as the same error', async () => {
    const t = setup();
    const req = { idempotencyKey: 'task-1:s2' };
    const boom = () => Promise.reject(new DomainError('UPSTREAM_ERROR', 'shop answered HTTP 500'));
    await expect(t.sut.run(TOOL, req, alice, boom)).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
    });
    await expect(t.sut.run(TOOL, req, alice, t.execute)).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: 'shop answered HTTP 500',
    });
    expect(t.runs()).toBe(0);
  });

  it('waits for a call that is still running and returns its result instead of running again', async () => {
    const t = setup();
    t.calls.rows.set(at('task-1:s3'), {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt: new Date(),
    });
    // The first call finishes while the repeat is waiting (on its third look).
    t.calls.onRead = (row) => {
      if (t.calls.reads === 3) Object.assign(row, { status: 'completed', output: { order: 7 } });
    };
    expect(await t.sut.run(TOOL, { idempotencyKey: 'task-1:s3' }, alice, t.execute)).toEqual({
      result: { output: { order: 7 } },
      replayed: true,
    });
    expect(t.runs()).toBe(0);
    expect(t.calls.reads).toBeGreaterThanOrEqual(3);
  });

  it('marks a call that outlived its timeout as interrupted and does not run it again', async () => {
    const t = setup();
    const startedAt = new Date(Date.now() - TOOL.timeoutMs - FINISH_GRACE_MS - 1);
    t.calls.rows.set(at('task-1:s4'), {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt,
    });
    const req = { idempotencyKey: 'task-1:s4' };
    const expected = {
      code: 'CONFLICT',
      message: `an earlier call of orders.place with this idempotency key (started ${startedAt.toISOString()}) was interrupted before it finished; orders.place is not idempotent, so it is not run again — check whether it took effect before calling it anew`,
      details: { tool: 'orders.place', interrupted: true, startedAt: startedAt.toISOString() },
    };
    await expect(t.sut.run(TOOL, req, alice, t.execute)).rejects.toMatchObject(expected);
    expect(t.calls.rows.get(at('task-1:s4'))!.status).toBe('interrupted');
    // Every later repeat gets the same answer.
    await expect(t.sut.run(TOOL, req, alice, t.execute)).rejects.toMatchObject(expected);
    expect(t.runs()).toBe(0);
  });

  it("measures a running call by the database's clock, so a replica whose clock is ahead still waits", async () => {
    const t = setup();
    // Started (by the clock of the replica that runs it) an hour "ago" as this replica sees it, but
    // running for 50 ms by the database's measure: it is alive, and its result is awaited.
    t.calls.rows.set(at('task-1:s6'), {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt: new Date(Date.now() - 3_600_000),
      runningForMs: 50,
    });
    t.calls.onRead = (row) => {
      if (t.calls.reads === 3) Object.assign(row, { status: 'completed', output: { order: 9 } });
    };
    expect(await t.sut.run(TOOL, { idempotencyKey: 'task-1:s6' }, alice, t.execute)).toEqual({
      result: { output: { order: 9 } },
      replayed: true,
    });
    expect(t.calls.rows.get(at('task-1:s6'))!.status).toBe('completed');
    expect(t.runs()).toBe(0);
  });

  it('runs a keyed tool again under its key, once, when the replica running it is gone (its lease went stale)', async () => {
    const t = setup();
    // Started a second ago on replica-a, which stopped renewing its lease: it died mid-call.
    t.calls.rows.set(at('task-1:s7'), {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt: new Date(Date.now() - 1_000),
      owner: 'replica-a',
      leaseAgeMs: LEASE_STALE_MS + 1,
    });
    const run = () =>
      t.sut.run(TOOL, { idempotencyKey: 'task-1:s7' }, alice, t.execute, { keyed: true });
    expect(await run()).toEqual({ result: { output: { order: 1 } }, replayed: false });
    expect(t.calls.rows.get(at('task-1:s7'))).toMatchObject({
      status: 'completed',
      owner: 'replica-b',
    });
    // Well before the tool's timeout: the repeat did not wait the dead call out.
    expect(await run()).toEqual({ result: { output: { order: 1 } }, replayed: true });
    expect(t.runs()).toBe(1);
  });

  it('marks a call of a tool that is not keyed interrupted as soon as its replica is gone, without running it', async () => {
    const t = setup();
    t.calls.rows.set(at('task-1:s8'), {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt: new Date(Date.now() - 1_000),
      owner: 'replica-a',
      leaseAgeMs: LEASE_STALE_MS + 1,
    });
    await expect(
      t.sut.run(TOOL, { idempotencyKey: 'task-1:s8' }, alice, t.execute),
    ).rejects.toMatchObject({ code: 'CONFLICT', details: { interrupted: true } });
    expect(t.calls.rows.get(at('task-1:s8'))!.status).toBe('interrupted');
    expect(t.runs()).toBe(0);
  });

  it('waits for a call whose replica keeps its lease, even a keyed one', async () => {
    const t = setup();
    t.calls.rows.set(at('task-1:s9'), {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt: new Date(),
      owner: 'replica-a',
      leaseAgeMs: 200,
    });
    t.calls.onRead = (row) => {
      if (t.calls.reads === 3) Object.assign(row, { status: 'completed', output: { order: 4 } });
    };
    expect(
      await t.sut.run(TOOL, { idempotencyKey: 'task-1:s9' }, alice, t.execute, { keyed: true }),
    ).toEqual({ result: { output: { order: 4 } }, replayed: true });
    expect(t.runs()).toBe(0);
  });

  it('gives up waiting when the task is cancelled', async () => {
    const t = setup();
    t.calls.rows.set(at('task-1:s5'), {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt: new Date(),
    });
    t.calls.onRead = () => {
      if (t.calls.reads === 2) t.cancellations.cancel('task-1', 'user pressed stop');
    };
    await expect(
      t.sut.run(TOOL, { idempotencyKey: 'task-1:s5', taskId: 'task-1' }, alice, t.execute),
    ).rejects.toMatchObject({
      code: 'CANCELLED',
      message: 'tool orders.place was cancelled with its task: user pressed stop',
    });
    expect(t.runs()).toBe(0);
  });

  describe('a tool that records its call in the statement of its effect (completesItsCall)', () => {
    /**
     * Such a tool as the in-memory store sees it: given the record, it claims the key and completes
     * it with its output at once (one statement), or finds the key taken and stores nothing.
     */
    function recording(t: ReturnType<typeof setup>) {
      const records: (CallRecord | undefined)[] = [];
      const execute = async (record?: CallRecord) => {
        records.push(record ? { ...record } : undefined);
        if (!record) return t.execute();
        const row = t.calls.rows.get(slot(record));
        const free =
          !row ||
          (row.status === 'refused' && row.userId === record.userId && row.tool === record.tool);
        if (!free) {
          record.taken = true;
          return { output: 'never stored' };
        }
        const result = await t.execute();
        t.calls.rows.set(slot(record), {
          userId: record.userId,
          tool: record.tool,
          status: 'completed',
          startedAt: new Date(),
          output: result.output,
        });
        return result;
      };
      return { execute, records };
    }

    it('runs a new call once with the record to write, claims nothing before and completes nothing after', async () => {
      const t = setup();
      const { execute, records } = recording(t);
      const claims = jest.spyOn(t.calls, 'claim');
      const completions = jest.spyOn(t.calls, 'complete');
      const req = { idempotencyKey: 'task-1:s1' };
      const once = { keyed: true, completesItsCall: true };
      expect(await t.sut.run(TOOL, req, acmeAlice, execute, once)).toEqual({
        result: { output: { order: 1 } },
        replayed: false,
      });
      expect(records).toEqual([
        {
          tenantId: 'acme',
          key: 'task-1:s1',
          userId: 'alice',
          tool: TOOL.name,
          owner: 'replica-b',
        },
      ]);
      expect(claims).not.toHaveBeenCalled();
      expect(completions).not.toHaveBeenCalled();
      // A repeat finds the key taken: answered from the record, the tool's work not done again.
      expect(await t.sut.run(TOOL, req, acmeAlice, execute, once)).toEqual({
        result: { output: { order: 1 } },
        replayed: true,
      });
      expect(t.runs()).toBe(1);
    });

    it('takes over a call lost with its replica through the claim path (the tool finds its effect)', async () => {
      const t = setup();
      const { execute, records } = recording(t);
      t.calls.rows.set(at('task-1:s2'), {
        userId: 'alice',
        tool: TOOL.name,
        status: 'running',
        startedAt: new Date(Date.now() - 1_000),
        owner: 'replica-a',
        leaseAgeMs: LEASE_STALE_MS + 1,
      });
      const once = { keyed: true, completesItsCall: true };
      expect(await t.sut.run(TOOL, { idempotencyKey: 'task-1:s2' }, alice, execute, once)).toEqual({
        result: { output: { order: 1 } },
        replayed: false,
      });
      // Tried in one statement (the key was taken), then run by the claim path, without a record.
      expect(records.map((r) => r?.key)).toEqual(['task-1:s2', undefined]);
      expect(t.calls.rows.get(at('task-1:s2'))).toMatchObject({ status: 'completed' });
    });

    it('leaves a refused admission to the claim path: a repeat answered from its record, a new call refused and stored so', async () => {
      const t = setup();
      const { execute } = recording(t);
      const admit = async () => {
        throw new DomainError('RATE_LIMITED', 'quota toolCallsPerDay reached');
      };
      t.calls.rows.set(at('task-1:s3'), {
        userId: 'alice',
        tool: TOOL.name,
        status: 'completed',
        startedAt: new Date(),
        output: { order: 7 },
      });
      const once = { keyed: true, completesItsCall: true, admit };
      expect(await t.sut.run(TOOL, { idempotencyKey: 'task-1:s3' }, alice, execute, once)).toEqual({
        result: { output: { order: 7 } },
        replayed: true,
      });
      await expect(
        t.sut.run(TOOL, { idempotencyKey: 'task-1:s4' }, alice, execute, once),
      ).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      expect(t.calls.rows.get(at('task-1:s4'))).toMatchObject({ status: 'refused' });
      expect(t.runs()).toBe(0);
    });

    it('stores nothing for a call that fails: its one statement did not commit, so it may run again', async () => {
      const t = setup();
      const req = { idempotencyKey: 'task-1:s5' };
      const once = { keyed: true, completesItsCall: true };
      const failing = async () => {
        throw new DomainError('UPSTREAM_UNAVAILABLE', 'database unreachable', { retryable: true });
      };
      await expect(t.sut.run(TOOL, req, alice, failing, once)).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
      });
      expect(t.calls.rows.size).toBe(0);
      const { execute } = recording(t);
      expect(await t.sut.run(TOOL, req, alice, execute, once)).toMatchObject({ replayed: false });
    });
  });
});
