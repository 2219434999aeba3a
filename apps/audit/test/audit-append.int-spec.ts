import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Audit } from '@switchboard/contracts';
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

const admin = { userId: 'auditor', role: 'admin' };

const ended = (taskId: string, tenantId: string): Audit.AuditRecordInput => ({
  id: randomUUID(),
  at: new Date().toISOString(),
  category: 'task',
  action: 'task.completed',
  outcome: 'success',
  source: 'orchestrator',
  actor: { userId: 'ann', role: 'user' },
  taskId,
  tenantId,
  details: { steps: 2, token: 'sk-never-stored' },
});

// The records the orchestrator journals (JournalOutbox) reach the trail by a command, in batches:
// chained once by id however often a batch is sent (a relay that died before marking it, another
// replica's sweep), each announced once chained on sb.evt.audit.… and kept in SB_AUDIT_CHAINED.
describe('sb.cmd.audit.append (real audit process, NATS, PostgreSQL)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let audit: ServiceHandle;
  let orchestrator: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('audit_append', 'audit');
    // The chain alone: no per-task logs (a chained end would read its task's events from an
    // orchestrator, which this spec plays only as a sender; task-logs.int-spec covers the logs).
    audit = await startService('audit', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      TASK_LOGS_ENABLED: 'false',
    });
    orchestrator = await createBusClient(nats.url, 'orchestrator');
  });

  afterAll(async () => {
    await orchestrator?.close();
    await audit?.stop();
    await nats?.stop();
    await db?.drop();
  });

  const rowsOf = (taskId: string) =>
    db.query<{ id: string; details: Record<string, unknown> }>(
      `SELECT "id"::text AS id, details FROM "AuditEntry" WHERE "taskId" = $1 ORDER BY seq`,
      [taskId],
    );

  it('chains a batch once by record id: sent again (whole or in part) it appends nothing twice, and the chain verifies', async () => {
    const taskId = randomUUID();
    const batch = [ended(taskId, 'default'), ended(taskId, 'acme'), ended(taskId, 'default')];
    const nc = await connect({ servers: nats.url });
    const announced: string[] = [];
    const sub = nc.subscribe(`sb.evt.audit.*.${taskId}.*`, {
      callback: (_e, m) => void announced.push(m.subject),
    });
    await nc.flush();

    expect(await orchestrator.bus.request(Audit.AuditAppend, { records: batch })).toEqual({
      appended: 3,
    });
    // a relay that died before marking, then a sweep that sends it with a new record
    const late = ended(taskId, 'acme');
    expect(
      await orchestrator.bus.request(Audit.AuditAppend, { records: [batch[1]!, late] }),
    ).toEqual({ appended: 1 });
    expect(await orchestrator.bus.request(Audit.AuditAppend, { records: batch })).toEqual({
      appended: 0,
    });

    const rows = await rowsOf(taskId);
    expect(rows.map((r) => r.id).sort()).toEqual([...batch, late].map((r) => r.id).sort());
    expect(JSON.stringify(rows)).not.toContain('sk-never-stored');
    const verified = await orchestrator.bus.request(
      Audit.AuditVerify,
      {},
      { actor: { userId: 'root', role: 'platform-admin' } },
    );
    expect(verified).toMatchObject({ ok: true });
    expect(await orchestrator.bus.request(Audit.AuditVerify, {}, { actor: admin })).toMatchObject({
      ok: true,
    });

    // each record announced once, on its tenant's subject, and kept for a late tail
    await waitFor(async () => announced.length >= 4, { what: 'four announcements' });
    await nc.flush();
    expect(announced.sort()).toEqual(
      [
        `sb.evt.audit.task.${taskId}.acme`,
        `sb.evt.audit.task.${taskId}.acme`,
        `sb.evt.audit.task.${taskId}.default`,
        `sb.evt.audit.task.${taskId}.default`,
      ].sort(),
    );
    const js = jetstream(nc);
    const consumer = await js.consumers.get('SB_AUDIT_CHAINED', {
      filter_subjects: [Audit.chainedRecordsFilter(taskId)],
    });
    const kept: string[] = [];
    for (let i = 0; i < 4; i++) {
      const m = await consumer.next({ expires: 5_000 });
      if (m) kept.push((m.json() as { data: { id: string } }).data.id);
    }
    expect(kept.sort()).toEqual([...batch, late].map((r) => r.id).sort());
    sub.unsubscribe();
    await nc.close();
  });

  it('refuses a batch the contract refuses, naming the field, and stores none of it', async () => {
    const taskId = randomUUID();
    const good = ended(taskId, 'default');
    await expect(
      orchestrator.bus.request(Audit.AuditAppend, {
        records: [good, { ...ended(taskId, 'default'), action: 'Not An Action' }],
      }),
    ).rejects.toThrow(/action/);
    await expect(orchestrator.bus.request(Audit.AuditAppend, { records: [] })).rejects.toThrow(
      /records/,
    );
    expect(await rowsOf(taskId)).toEqual([]);
  });
});
