import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { A2a, type Actor, type DomainError } from '@switchboard/contracts';
import type { AuditTrail, JetStreamService } from '@switchboard/messaging';
import { createLogger } from '@switchboard/observability';
import { DelegationLedger } from './delegation-ledger.js';
import { recordTenant } from './delegation-tenancy.js';

const logger = createLogger({ service: 'a2a', instance: 'test', level: 'silent', pretty: false });
const alice: Actor = { userId: 'alice', role: 'user' };
const acmeAlice: Actor = { userId: 'alice', role: 'user', tenantId: 'acme' };

const request = (extra: Partial<A2a.DelegateRequest> = {}): A2a.DelegateRequest => ({
  delegationId: '11111111-2222-4333-8444-555555555555',
  taskId: '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718',
  stepId: 's1',
  agent: 'researcher',
  message: 'NATS JetStream',
  idempotencyKey: 'task:s1',
  repeat: true,
  ...extra,
});

const result = (text: string): A2a.DelegationResult => ({
  delegationId: request().delegationId,
  agent: 'researcher',
  transport: 'http',
  protocolVersion: '1.0',
  mode: 'stream',
  state: 'TASK_STATE_COMPLETED',
  text,
  artifacts: [],
  attempts: 1,
  durationMs: 5,
});

/** The ledger over a stream that keeps the last record of each delegation, and what was audited. */
function setup(config?: { A2A_DELEGATION_RENEW_MS: number }) {
  const records = new Map<string, { data: A2a.DelegationRecord; actor?: Actor }>();
  const jetstream = {
    publish: async (
      _contract: unknown,
      [delegationId]: [string],
      data: A2a.DelegationRecord,
      opts: { actor?: Actor },
    ) => {
      // Validated, as the real stream's publish does.
      records.set(delegationId, {
        data: A2a.DelegationRecord.parse(data),
        ...(opts.actor ? { actor: opts.actor } : {}),
      });
      return { seq: records.size, duplicate: false };
    },
    lastMessage: async (_stream: unknown, subject: string) => {
      const stored = records.get(subject.split('.').pop()!);
      return stored ? { seq: 1, data: stored.data } : undefined;
    },
  } as unknown as JetStreamService;
  const audits: Record<string, unknown>[] = [];
  const audit = { record: async (r: Record<string, unknown>) => void audits.push(r) };
  const identity = { service: 'a2a', instance: 'replica-a', version: 't', startedAt: 0 };
  const sut = new DelegationLedger(
    jetstream,
    audit as unknown as AuditTrail,
    identity,
    logger,
    config,
  );
  return { sut, records, audits };
}

describe(`${DelegationLedger.name} and tenants`, () => {
  it('records the tenant of the delegation with its user, and writes the record as its actor', async () => {
    const t = setup();
    await t.sut.start(
      request(),
      acmeAlice,
      async () => result('done'),
      () => undefined,
    );
    const stored = t.records.get(request().delegationId)!;
    expect(stored.data).toMatchObject({ userId: 'alice', tenantId: 'acme', state: 'finished' });
    expect(stored.actor).toEqual(acmeAlice);
    expect(recordTenant(stored.data)).toBe('acme');
    // A record written before tenants names none: the default tenant's.
    expect(recordTenant({})).toBe('default');
  });

  it("keeps an idempotency key per tenant in memory: another tenant's repeat finds nothing", async () => {
    const t = setup();
    const first = t.sut.start(
      request(),
      acmeAlice,
      async () => result('acme'),
      () => undefined,
    );
    await first;
    expect(t.sut.find(request(), acmeAlice)).toBe(first);
    expect(t.sut.find(request(), alice)).toBeUndefined();
  });

  it("answers a repeat of another tenant's recorded delegation as never recorded, and audits it", async () => {
    const t = setup();
    await t.sut.start(
      request(),
      acmeAlice,
      async () => result('acme'),
      () => undefined,
    );
    await expect(t.sut.recorded(request(), alice, 0)).resolves.toEqual({ kind: 'none' });
    expect(t.audits).toEqual([
      expect.objectContaining({
        category: 'delegation',
        action: 'a2a.delegate',
        outcome: 'denied',
        tenantId: 'default',
        details: {
          delegationId: request().delegationId,
          operation: 'repeat',
          reason: 'other_tenant',
        },
      }),
    ]);
    // Its own tenant's repeat (a resume after a restart) gets the recorded outcome.
    const own = await t.sut.recorded(request(), acmeAlice, 0);
    expect(own.kind).toBe('outcome');
    await expect(own.kind === 'outcome' ? own.outcome : undefined).resolves.toEqual(result('acme'));
  });

  it('still refuses a repeat by another user of the same tenant (CONFLICT, as before tenants)', async () => {
    const t = setup();
    await t.sut.start(
      request(),
      acmeAlice,
      async () => result('acme'),
      () => undefined,
    );
    const bob: Actor = { userId: 'bob', role: 'user', tenantId: 'acme' };
    const e = await t.sut.recorded(request(), bob, 0).catch((x: unknown) => x as DomainError);
    expect(e).toMatchObject({ code: 'CONFLICT' });
    expect(t.audits).toEqual([]);
  });

  it("reads a record written before tenants (no tenantId) as the default tenant's", async () => {
    const t = setup();
    await t.sut.start(
      request(),
      alice,
      async () => result('before'),
      () => undefined,
    );
    const stored = t.records.get(request().delegationId)!;
    const { tenantId: _written, ...old } = stored.data;
    t.records.set(request().delegationId, { ...stored, data: old });
    const repeat = { ...request(), repeat: true };
    const found = await t.sut.recorded(repeat, alice, 0);
    expect(found.kind).toBe('outcome');
    // ...and as nobody else's.
    expect((await t.sut.recorded(repeat, acmeAlice, 0)).kind).toBe('none');
  });
});

describe(`${DelegationLedger.name} and a replica that is gone`, () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  /** A running record of `request()` by another replica, last renewed `ageMs` ago. */
  const runningElsewhere = (t: ReturnType<typeof setup>, ageMs: number) =>
    t.records.set(request().delegationId, {
      data: A2a.DelegationRecord.parse({
        delegationId: request().delegationId,
        taskId: request().taskId,
        userId: alice.userId,
        tenantId: 'default',
        agent: 'researcher',
        owner: 'replica-b',
        state: 'running',
        at: new Date(Date.now() - ageMs).toISOString(),
        remoteTaskId: 'remote-1',
      }),
    });
  const pending = Symbol('pending');
  /** What `p` resolved to once the pending microtasks ran (timers frozen): `pending` if it waits. */
  const settledNow = async <T>(p: Promise<T>): Promise<T | typeof pending> => {
    let out: T | typeof pending = pending;
    void p.then((v) => (out = v));
    for (let i = 0; i < 50; i++) await Promise.resolve();
    return out;
  };

  it('takes over a record three renewals (A2A_DELEGATION_RENEW_MS) old, and waits for a fresher one', async () => {
    jest.useFakeTimers();
    const short = setup({ A2A_DELEGATION_RENEW_MS: 200 });
    runningElsewhere(short, 1_000);
    await expect(settledNow(short.sut.recorded(request(), alice, 60_000))).resolves.toEqual({
      kind: 'take-over',
      remoteTaskId: 'remote-1',
    });
    // At the default (2 s renewals), the same record is of a live replica: the repeat waits for it.
    const usual = setup();
    runningElsewhere(usual, 1_000);
    await expect(settledNow(usual.sut.recorded(request(), alice, 60_000))).resolves.toBe(pending);
  });
});
