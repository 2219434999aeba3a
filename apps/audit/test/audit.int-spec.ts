import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Audit, AuditStream, DeadLetterStream, NO_TOKEN } from '@switchboard/contracts';
import { encodeJson } from '@switchboard/messaging';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
  startService,
  type TestDatabase,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

// An admin of the default tenant (records that name no tenant are its), and the platform operator.
const admin = { userId: 'auditor', role: 'admin' };
const operator = { userId: 'root', role: 'platform-admin' };

function record(i: number, runId: string): Audit.AuditRecordInput {
  return {
    id: randomUUID(),
    at: new Date().toISOString(),
    category: 'tool',
    action: 'tool.call',
    outcome: 'success',
    source: 'mcp-tools',
    actor: { userId: `user-${i % 7}`, role: 'user' },
    resource: 'calculator',
    details: { i, runId, apiKey: 'sk-should-never-be-stored' },
  };
}

describe('audit service (real process, JetStream, PostgreSQL)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let audit: ServiceHandle;
  let client: BusClient;
  let env: Record<string, string>;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('audit', 'audit');
    env = { NATS_SERVERS: nats.url, DATABASE_URL: db.url, AUDIT_ACK_WAIT_MS: '3000' };
    audit = await startService('audit', env);
    client = await createBusClient(nats.url, 'mcp-tools');
  });

  afterAll(async () => {
    await client?.close();
    await audit?.stop();
    await nats?.stop();
    await db?.drop();
  });

  const count = async (runId: string) =>
    Number(
      (
        await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM "AuditEntry" WHERE details->>'runId' = $1`,
          [runId],
        )
      )[0]?.n,
    );

  it('stores every record exactly once across a crash and restart of the audit service under load', async () => {
    const runId = randomUUID();
    const total = 600;
    const records = Array.from({ length: total }, (_, i) => record(i, runId));
    let produced = 0;
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i += 20) {
        await Promise.all(
          records.slice(i, i + 20).map((r) =>
            client.jetstream.publish(Audit.AuditRecorded, Audit.auditSubjectTokens(r), r, {
              msgId: r.id as string,
            }),
          ),
        );
        produced = i + 20;
      }
    };
    // The first half streams in while the service works; the second half is published only after the
    // crash, so the kill always lands mid-stream whatever the machine's speed.
    const firstHalf = publish(0, total / 2);
    // Kill it (SIGKILL: no graceful shutdown, batches may be committed but not acked) mid-stream.
    await waitFor(async () => (await count(runId)) >= 100, {
      what: 'first records stored',
      timeoutMs: 30_000,
    });
    await audit.kill();
    const storedAtCrash = await count(runId);
    expect(storedAtCrash).toBeLessThanOrEqual(total / 2);
    await firstHalf;
    await publish(total / 2, total);
    expect(produced).toBe(total);
    audit = await startService('audit', env);
    await waitFor(async () => (await count(runId)) >= total, {
      what: 'all records stored',
      timeoutMs: 60_000,
    });
    // Record ids are unique in the table, so duplicates would show as more rows than records, or as
    // records stored twice under other ids: count the producer's own numbering (not constrained).
    const [stored] = await db.query<{ n: string; distinct_i: string }>(
      `SELECT count(*) AS n, count(DISTINCT details->>'i') AS distinct_i FROM "AuditEntry" WHERE details->>'runId' = $1`,
      [runId],
    );
    expect(stored).toEqual({ n: String(total), distinct_i: String(total) });
    const ids = await db.query<{ id: string }>(
      `SELECT id FROM "AuditEntry" WHERE details->>'runId' = $1`,
      [runId],
    );
    expect(new Set(ids.map((r) => r.id))).toEqual(new Set(records.map((r) => r.id)));
    const secrets = await db.query(
      `SELECT seq FROM "AuditEntry" WHERE details::text LIKE '%sk-should-never%'`,
    );
    expect(secrets).toEqual([]);
    const verified = await client.bus.request(Audit.AuditVerify, {}, { actor: admin });
    expect(verified).toMatchObject({ ok: true });
    expect(verified.checked).toBeGreaterThanOrEqual(total);
  });

  it('keeps one unbroken chain while two replicas append at once', async () => {
    const second = await startService('audit', env);
    try {
      const runId = randomUUID();
      const total = 400;
      const records = Array.from({ length: total }, (_, i) => record(i, runId));
      for (let i = 0; i < total; i += 40) {
        await Promise.all(
          records.slice(i, i + 40).map((r) =>
            client.jetstream.publish(Audit.AuditRecorded, Audit.auditSubjectTokens(r), r, {
              msgId: r.id as string,
            }),
          ),
        );
      }
      await waitFor(async () => (await count(runId)) >= total, {
        what: 'all records stored',
        timeoutMs: 60_000,
      });
      // Both replicas took part: each acked records of this run.
      const acked = async (url: string) => {
        const text = await (await fetch(`${url}/metrics`)).text();
        const line = text
          .split('\n')
          .find((l) => l.startsWith('sb_jetstream_messages_total') && l.includes('"ack"'));
        return Number(line?.split(' ').pop() ?? 0);
      };
      expect(await acked(audit.url)).toBeGreaterThan(0);
      expect(await acked(second.url)).toBeGreaterThan(0);
      // No fork: every row names a different predecessor, and the whole chain verifies.
      const [forks] = await db.query<{ rows: string; prevs: string }>(
        `SELECT count(*) AS rows, count(DISTINCT "prevHash") AS prevs FROM "AuditEntry"`,
      );
      expect(forks!.prevs).toBe(forks!.rows);
      expect(await count(runId)).toBe(total);
      const verified = await client.bus.request(Audit.AuditVerify, {}, { actor: admin });
      expect(verified).toMatchObject({ ok: true, scope: 'tenant', tenantId: 'default' });
      const whole = await client.bus.request(Audit.AuditVerify, {}, { actor: operator });
      expect(whole).toMatchObject({ ok: true, scope: 'all', checked: verified.checked });
    } finally {
      await second.stop();
    }
  });

  it('does not store a redelivered record twice', async () => {
    const runId = randomUUID();
    const r = record(1, runId);
    // Two publishes of the same record with different message ids: JetStream keeps both, as after a
    // redelivery beyond its de-duplication window; the store must still keep one row.
    await client.jetstream.publish(Audit.AuditRecorded, ['tool', NO_TOKEN, 'default'], r, {
      msgId: `a-${r.id as string}`,
    });
    await client.jetstream.publish(Audit.AuditRecorded, ['tool', NO_TOKEN, 'default'], r, {
      msgId: `b-${r.id as string}`,
    });
    const marker = record(2, runId);
    await client.jetstream.publish(Audit.AuditRecorded, ['tool', NO_TOKEN, 'default'], marker, {
      msgId: marker.id as string,
    });
    await waitFor(async () => (await count(runId)) === 2, { what: 'records stored' });
    const info = await client.bus.request(
      Audit.AuditQuery,
      { limit: 10, userId: 'user-1' },
      { actor: admin },
    );
    expect(info.entries.filter((e) => e.id === r.id)).toHaveLength(1);
  });

  it('dead-letters a malformed record and keeps running', async () => {
    const nc = client.bus.connection;
    nc.publish(
      'sb.audit.tool',
      encodeJson({ pattern: 'sb.audit.tool', data: { id: 'not-a-uuid', action: 42 } }),
    );
    await nc.flush();
    const parked = await waitFor(
      () => client.jetstream.lastMessage(DeadLetterStream, 'sb.dlq.SB_AUDIT'),
      { what: 'dead letter' },
    );
    expect(JSON.stringify(parked.data)).toContain('not-a-uuid');
    expect((await fetch(`${audit.url}/readiness`)).status).toBe(200);
    // The audit stream itself still holds it (limits retention), but no row was written.
    expect(await client.jetstream.lastMessage(AuditStream, 'sb.audit.tool')).toBeDefined();
  });

  it('answers queries only for admins, newest first, paged', async () => {
    const forbidden = await client.bus
      .request(Audit.AuditQuery, { limit: 5 }, { actor: { userId: 'bob', role: 'user' } })
      .catch((e: Error) => e);
    expect(forbidden).toMatchObject({ code: 'FORBIDDEN' });
    const page1 = await client.bus.request(Audit.AuditQuery, { limit: 5 }, { actor: admin });
    expect(page1.entries).toHaveLength(5);
    expect(page1.nextBefore).toBeDefined();
    const page2 = await client.bus.request(
      Audit.AuditQuery,
      { limit: 5, before: page1.nextBefore },
      { actor: admin },
    );
    const seqs = [...page1.entries, ...page2.entries].map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(10);
  });

  const readiness = async () => {
    const r = await fetch(`${audit.url}/readiness`);
    const body = (await r.json()) as {
      details: Record<string, { status: string; message?: string }>;
    };
    return { status: r.status, checks: body.details };
  };

  it('recreates its durable consumer when it is deleted, and keeps storing', async () => {
    const jsm = await jetstreamManager(client.bus.connection);
    const before = await jsm.consumers.info(AuditStream.name, 'audit');
    // nats-server may answer a delete racing the consumer's own file writes with "directory not
    // empty" after dropping the consumer; what counts is that a new one (a new creation time) appears.
    await jsm.consumers.delete(AuditStream.name, 'audit').catch((e: Error) => {
      if (!/directory not empty/.test(e.message)) throw e;
    });
    await waitFor(
      async () => (await jsm.consumers.info(AuditStream.name, 'audit')).created !== before.created,
      { what: 'the audit durable recreated' },
    );
    const runId = randomUUID();
    const r = record(3, runId);
    await client.jetstream.publish(Audit.AuditRecorded, ['tool', NO_TOKEN, 'default'], r, {
      msgId: r.id as string,
    });
    await waitFor(async () => (await count(runId)) === 1, {
      what: 'record stored after recreation',
    });
    expect(await readiness()).toMatchObject({ status: 200 });
  });

  it('takes over the durable of an older release (records on sb.audit.<category>) and stores old and new records', async () => {
    const jsm = await jetstreamManager(client.bus.connection);
    await audit.stop();
    // What a release before task ids in audit subjects left: its durable reading sb.audit.* only.
    const { config } = await jsm.consumers.info(AuditStream.name, 'audit');
    await jsm.consumers
      .update(AuditStream.name, 'audit', { filter_subject: 'sb.audit.*' })
      .catch(async (e: Error) => {
        // The test before deleted this durable and the service recreated it under the same name:
        // nats-server may remove the deleted one's folder after that (the "directory not empty"
        // above), taking the new one's files with it, so an update cannot write them. Put the old
        // release's durable in place the other way: delete it and add it with the old filter.
        if (!/meta\.inf/.test(e.message)) throw e;
        await jsm.consumers.delete(AuditStream.name, 'audit').catch(() => undefined);
        await jsm.consumers.add(AuditStream.name, { ...config, filter_subject: 'sb.audit.*' });
      });
    const runId = randomUUID();
    const old = record(5, runId);
    // A record an old pod published during the upgrade, on its old subject.
    await jetstream(client.bus.connection).publish(
      'sb.audit.tool',
      JSON.stringify({ pattern: 'sb.audit.tool', data: old }),
      { msgID: old.id as string },
    );
    audit = await startService('audit', env);
    const info = await jsm.consumers.info(AuditStream.name, 'audit');
    expect(info.config.filter_subject).toBe('sb.audit.>');
    const taskId = randomUUID();
    const current = { ...record(6, runId), taskId };
    const ack = await client.jetstream.publish(
      Audit.AuditRecorded,
      Audit.auditSubjectTokens(current),
      current,
      { msgId: current.id as string },
    );
    expect(ack.duplicate).toBe(false);
    expect(Audit.AuditRecorded.subject(...Audit.auditSubjectTokens(current))).toBe(
      `sb.audit.tool.${taskId}.${current.tenantId ?? 'default'}`,
    );
    await waitFor(async () => (await count(runId)) === 2, { what: 'the old and the new record' });
  });

  it('reports not ready while its stream is gone, and recovers when it is back', async () => {
    const jsm = await jetstreamManager(client.bus.connection);
    await jsm.streams.delete(AuditStream.name);
    const down = await waitFor(
      async () => {
        const r = await readiness();
        return r.status === 503 ? r : undefined;
      },
      { what: 'readiness 503' },
    );
    expect(down.checks).toMatchObject({
      'audit-consumer': { status: 'down', message: expect.stringMatching(/durable "audit"/) },
      jetstream: { status: 'down', message: expect.stringMatching(/^stream SB_AUDIT: /) },
      nats: { status: 'up' },
    });
    // What any service's boot does (ensureStreams); the audit service then recreates its durable.
    await client.jetstream.ensureStreams([AuditStream]);
    await waitFor(async () => (await readiness()).status === 200, {
      what: 'readiness 200 again',
      timeoutMs: 30_000,
    });
    const runId = randomUUID();
    const r = record(4, runId);
    await client.jetstream.publish(Audit.AuditRecorded, ['tool', NO_TOKEN, 'default'], r, {
      msgId: r.id as string,
    });
    await waitFor(async () => (await count(runId)) === 1, { what: 'record stored after recovery' });
  });
});
