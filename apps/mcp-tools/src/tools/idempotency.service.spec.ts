import { DomainError, type ErrorBody } from '@switchboard/contracts';
import { createLogger } from '@switchboard/observability';
import type { NatsBus } from '@switchboard/messaging';
import { IdempotencyService, LEASE_STALE_MS } from './idempotency.service.js';
import { TaskCancellations } from './task-cancellations.js';
import type { CallClaim, ToolCallRepository } from './tool-call.repository.js';
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
  status: 'running' | 'completed' | 'failed' | 'interrupted';
  startedAt: Date;
  /** How long the database says it has run (default: since startedAt by this clock). */
  runningForMs?: number;
  /** The replica running it, and the age of its lease (absent: a call without a lease). */
  owner?: string;
  leaseAgeMs?: number;
  output?: unknown;
  error?: ErrorBody;
}

/** The repository's contract over a Map; `reads` counts how often a repeat looked at the row. */
class InMemoryCalls {
  readonly rows = new Map<string, Row>();
  reads = 0;
  onRead: (row: Row) => void = () => undefined;

  async claim(key: string, userId: string, tool: string, owner: string): Promise<CallClaim> {
    if (!this.rows.has(key)) {
      this.rows.set(key, { userId, tool, status: 'running', startedAt: new Date(), owner });
      return { state: 'new' };
    }
    return this.read(key, userId, tool);
  }
  /** Leases are renewed by the service's timer, which these tests do not start. */
  renew(): Promise<void> {
    return Promise.resolve();
  }
  async takeOver(key: string, owner: string, staleMs: number): Promise<boolean> {
    const row = this.rows.get(key)!;
    if (row.status !== 'running' || (row.leaseAgeMs ?? 0) <= staleMs) return false;
    Object.assign(row, { owner, leaseAgeMs: 0, startedAt: new Date(), runningForMs: undefined });
    return true;
  }
  async read(key: string, userId: string, tool: string): Promise<CallClaim> {
    const row = this.rows.get(key)!;
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
  async complete(key: string, output: unknown): Promise<void> {
    Object.assign(this.rows.get(key)!, { status: 'completed', output });
  }
  async fail(key: string, error: ErrorBody): Promise<void> {
    Object.assign(this.rows.get(key)!, { status: 'failed', error });
  }
  async interrupt(key: string, error: ErrorBody): Promise<boolean> {
    const row = this.rows.get(key)!;
    if (row.status !== 'running') return false;
    Object.assign(row, { status: 'interrupted', error });
    return true;
  }
}

const TOOL = { name: 'orders.place', idempotent: false, timeoutMs: 5_000 };

function setup() {
  const calls = new InMemoryCalls();
  const cancellations = new TaskCancellations({} as NatsBus, logger);
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
    expect(await t.sut.run(TOOL, req, 'alice', t.execute)).toEqual({
      result: { output: { order: 1 } },
      replayed: false,
    });
    expect(await t.sut.run(TOOL, req, 'alice', t.execute)).toEqual({
      result: { output: { order: 1 } },
      replayed: true,
    });
    await t.sut.run({ ...TOOL, idempotent: true }, req, 'alice', t.execute);
    await t.sut.run(TOOL, {}, 'alice', t.execute);
    expect(t.runs()).toBe(3);
  });

  it('replays a failure as the same error', async () => {
    const t = setup();
    const req = { idempotencyKey: 'task-1:s2' };
    const boom = () => Promise.reject(new DomainError('UPSTREAM_ERROR', 'shop answered HTTP 500'));
    await expect(t.sut.run(TOOL, req, 'alice', boom)).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
    });
    await expect(t.sut.run(TOOL, req, 'alice', t.execute)).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: 'shop answered HTTP 500',
    });
    expect(t.runs()).toBe(0);
  });

  it('waits for a call that is still running and returns its result instead of running again', async () => {
    const t = setup();
    t.calls.rows.set('task-1:s3', {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt: new Date(),
    });
    // The first call finishes while the repeat is waiting (on its third look).
    t.calls.onRead = (row) => {
      if (t.calls.reads === 3) Object.assign(row, { status: 'completed', output: { order: 7 } });
    };
    expect(await t.sut.run(TOOL, { idempotencyKey: 'task-1:s3' }, 'alice', t.execute)).toEqual({
      result: { output: { order: 7 } },
      replayed: true,
    });
    expect(t.runs()).toBe(0);
    expect(t.calls.reads).toBeGreaterThanOrEqual(3);
  });

  it('marks a call that outlived its timeout as interrupted and does not run it again', async () => {
    const t = setup();
    const startedAt = new Date(Date.now() - TOOL.timeoutMs - FINISH_GRACE_MS - 1);
    t.calls.rows.set('task-1:s4', {
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
    await expect(t.sut.run(TOOL, req, 'alice', t.execute)).rejects.toMatchObject(expected);
    expect(t.calls.rows.get('task-1:s4')!.status).toBe('interrupted');
    // Every later repeat gets the same answer.
    await expect(t.sut.run(TOOL, req, 'alice', t.execute)).rejects.toMatchObject(expected);
    expect(t.runs()).toBe(0);
  });

  it("measures a running call by the database's clock, so a replica whose clock is ahead still waits", async () => {
    const t = setup();
    // Started (by the clock of the replica that runs it) an hour "ago" as this replica sees it, but
    // running for 50 ms by the database's measure: it is alive, and its result is awaited.
    t.calls.rows.set('task-1:s6', {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt: new Date(Date.now() - 3_600_000),
      runningForMs: 50,
    });
    t.calls.onRead = (row) => {
      if (t.calls.reads === 3) Object.assign(row, { status: 'completed', output: { order: 9 } });
    };
    expect(await t.sut.run(TOOL, { idempotencyKey: 'task-1:s6' }, 'alice', t.execute)).toEqual({
      result: { output: { order: 9 } },
      replayed: true,
    });
    expect(t.calls.rows.get('task-1:s6')!.status).toBe('completed');
    expect(t.runs()).toBe(0);
  });

  it('runs a keyed tool again under its key, once, when the replica running it is gone (its lease went stale)', async () => {
    const t = setup();
    // Started a second ago on replica-a, which stopped renewing its lease: it died mid-call.
    t.calls.rows.set('task-1:s7', {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt: new Date(Date.now() - 1_000),
      owner: 'replica-a',
      leaseAgeMs: LEASE_STALE_MS + 1,
    });
    const run = () =>
      t.sut.run(TOOL, { idempotencyKey: 'task-1:s7' }, 'alice', t.execute, { keyed: true });
    expect(await run()).toEqual({ result: { output: { order: 1 } }, replayed: false });
    expect(t.calls.rows.get('task-1:s7')).toMatchObject({
      status: 'completed',
      owner: 'replica-b',
    });
    // Well before the tool's timeout: the repeat did not wait the dead call out.
    expect(await run()).toEqual({ result: { output: { order: 1 } }, replayed: true });
    expect(t.runs()).toBe(1);
  });

  it('marks a call of a tool that is not keyed interrupted as soon as its replica is gone, without running it', async () => {
    const t = setup();
    t.calls.rows.set('task-1:s8', {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt: new Date(Date.now() - 1_000),
      owner: 'replica-a',
      leaseAgeMs: LEASE_STALE_MS + 1,
    });
    await expect(
      t.sut.run(TOOL, { idempotencyKey: 'task-1:s8' }, 'alice', t.execute),
    ).rejects.toMatchObject({ code: 'CONFLICT', details: { interrupted: true } });
    expect(t.calls.rows.get('task-1:s8')!.status).toBe('interrupted');
    expect(t.runs()).toBe(0);
  });

  it('waits for a call whose replica keeps its lease, even a keyed one', async () => {
    const t = setup();
    t.calls.rows.set('task-1:s9', {
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
      await t.sut.run(TOOL, { idempotencyKey: 'task-1:s9' }, 'alice', t.execute, { keyed: true }),
    ).toEqual({ result: { output: { order: 4 } }, replayed: true });
    expect(t.runs()).toBe(0);
  });

  it('gives up waiting when the task is cancelled', async () => {
    const t = setup();
    t.calls.rows.set('task-1:s5', {
      userId: 'alice',
      tool: TOOL.name,
      status: 'running',
      startedAt: new Date(),
    });
    t.calls.onRead = () => {
      if (t.calls.reads === 2) t.cancellations.cancel('task-1', 'user pressed stop');
    };
    await expect(
      t.sut.run(TOOL, { idempotencyKey: 'task-1:s5', taskId: 'task-1' }, 'alice', t.execute),
    ).rejects.toMatchObject({
      code: 'CANCELLED',
      message: 'tool orders.place was cancelled with its task: user pressed stop',
    });
    expect(t.runs()).toBe(0);
  });
});
