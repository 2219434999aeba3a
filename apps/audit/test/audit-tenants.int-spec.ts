import { type Actor, Audit, DEFAULT_TENANT, Tasks } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  type PrivateNats,
  repoRoot,
  type ServiceHandle,
  startPrivateNats,
  startService,
  type TestDatabase,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskHash } from '../src/task-logs/task-log.layout.js';
import { chainHash, GENESIS_HASH } from '../src/trail/audit-chain.js';

const operator: Actor = { userId: 'root', role: 'platform-admin' };
const adminOf = (tenantId: string): Actor => ({
  userId: `admin-${tenantId}`,
  role: 'admin',
  tenantId,
});

function record(i: number, runId: string, tenantId?: string): Audit.AuditRecordInput {
  return {
    id: randomUUID(),
    at: new Date().toISOString(),
    category: 'tool',
    action: 'tool.call',
    outcome: 'success',
    source: 'mcp-tools',
    actor: { userId: `user-${i % 5}`, role: 'user' },
    ...(tenantId ? { tenantId } : {}),
    details: { i, runId },
  };
}

async function publishAll(client: BusClient, records: Audit.AuditRecordInput[], chunk = 40) {
  for (let i = 0; i < records.length; i += chunk)
    await Promise.all(
      records.slice(i, i + chunk).map((r) =>
        client.jetstream.publish(Audit.AuditRecorded, Audit.auditSubjectTokens(r), r, {
          msgId: r.id as string,
        }),
      ),
    );
}

const countOf = async (db: TestDatabase, runId: string) =>
  Number(
    (
      await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM "AuditEntry" WHERE details->>'runId' = $1`,
        [runId],
      )
    )[0]?.n,
  );

/** Each tenant's rows: how many, and the tenantSeq of the first and the last. */
const slices = (db: TestDatabase, tenants: string[]) =>
  db.query<{ tenantId: string; n: number; first: number; last: number }>(
    `SELECT "tenantId", count(*)::int AS n, min("tenantSeq") AS first, max("tenantSeq") AS last
     FROM "AuditEntry" WHERE "tenantId" = ANY($1) GROUP BY "tenantId" ORDER BY "tenantId"`,
    [tenants],
  );

/** Tenant ids of one test: its own, so tests never see each other's rows. */
const tenantIds = () => {
  const run = randomUUID().slice(0, 8);
  return { acme: `acme-${run}`, globex: `globex-${run}` };
};

describe('audit trail with tenants (real processes, JetStream, PostgreSQL)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let audit: ServiceHandle;
  let client: BusClient;
  let env: Record<string, string>;
  const taskLogs = mkdtempSync(join(tmpdir(), 'sb-audit-task-logs-'));

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('audit_tenants', 'audit');
    env = { NATS_SERVERS: nats.url, DATABASE_URL: db.url, AUDIT_ACK_WAIT_MS: '3000' };
    audit = await startService('audit', { ...env, TASK_LOG_DIR: taskLogs });
    client = await createBusClient(nats.url, 'mcp-tools');
  });

  afterAll(async () => {
    await client?.close();
    await audit?.stop();
    await nats?.stop();
    await db?.drop();
    rmSync(taskLogs, { recursive: true, force: true });
  });

  it("keeps one chain, and each tenant's, while two replicas append two tenants' records at once", async () => {
    // One writer per task-log directory (docs/task-logs.md): the second replica keeps to the trail.
    const second = await startService('audit', { ...env, TASK_LOGS_ENABLED: 'false' });
    try {
      const runId = randomUUID();
      const { acme, globex } = tenantIds();
      const tenants = [acme, globex, undefined];
      const records = Array.from({ length: 450 }, (_, i) => record(i, runId, tenants[i % 3]));
      await publishAll(client, records);
      await waitFor(async () => (await countOf(db, runId)) >= records.length, {
        what: 'all records stored',
        timeoutMs: 60_000,
      });
      // Both replicas took part: each acked records of this run.
      for (const replica of [audit, second]) {
        const text = await (await fetch(`${replica.url}/metrics`)).text();
        const acked = text
          .split('\n')
          .find((l) => l.startsWith('sb_jetstream_messages_total') && l.includes('"ack"'));
        expect(Number(acked?.split(' ').pop() ?? 0)).toBeGreaterThan(0);
      }
      // Each new tenant's chain is gap-free: tenantSeq runs 1..n.
      expect(await slices(db, [acme, globex])).toEqual([
        { tenantId: acme, n: 150, first: 1, last: 150 },
        { tenantId: globex, n: 150, first: 1, last: 150 },
      ]);
      // No fork in the trail's chain nor in any tenant's.
      const [forks] = await db.query<{ rows: string; prevs: string; tenantPrevs: string }>(
        `SELECT count(*) AS rows, count(DISTINCT "prevHash") AS prevs,
                count(DISTINCT ("tenantId", "tenantPrevHash")) AS "tenantPrevs" FROM "AuditEntry"`,
      );
      expect(forks!.prevs).toBe(forks!.rows);
      expect(forks!.tenantPrevs).toBe(forks!.rows);

      for (const tenantId of [acme, globex]) {
        const verified = await client.bus.request(
          Audit.AuditVerify,
          {},
          { actor: adminOf(tenantId) },
        );
        expect(verified).toEqual({
          ok: true,
          scope: 'tenant',
          tenantId,
          checked: 150,
          firstTenantSeq: 1,
          lastTenantSeq: 150,
          lastHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
      }
      const byDefault = await client.bus.request(
        Audit.AuditVerify,
        {},
        { actor: adminOf(DEFAULT_TENANT) },
      );
      expect(byDefault).toMatchObject({ ok: true, scope: 'tenant', tenantId: DEFAULT_TENANT });
      expect(byDefault.checked).toBeGreaterThanOrEqual(150);
      const all = await client.bus.request(Audit.AuditVerify, {}, { actor: operator });
      expect(all).toMatchObject({ ok: true, scope: 'all' });
      expect(all.checked).toBeGreaterThanOrEqual(450);
      const one = await client.bus.request(
        Audit.AuditVerify,
        { tenantId: globex },
        { actor: operator },
      );
      expect(one).toMatchObject({ ok: true, scope: 'tenant', tenantId: globex, checked: 150 });
    } finally {
      await second.stop();
    }
  });

  it("shows a tenant admin its own tenant's rows only, and the operator any tenant's", async () => {
    const runId = randomUUID();
    const { acme, globex } = tenantIds();
    const tenants = [acme, globex, undefined, globex];
    const records = Array.from({ length: 80 }, (_, i) => record(i, runId, tenants[i % 4]));
    await publishAll(client, records);
    await waitFor(async () => (await countOf(db, runId)) >= records.length, {
      what: 'all records stored',
    });
    const rowsOf = async (actor: Actor, q: Partial<Audit.AuditQueryRequest> = {}) =>
      (await client.bus.request(Audit.AuditQuery, { limit: 500, ...q }, { actor })).entries;

    const acmeRows = await rowsOf(adminOf(acme));
    expect(acmeRows).toHaveLength(20);
    expect(new Set(acmeRows.map((e) => e.tenantId))).toEqual(new Set([acme]));
    expect(acmeRows.map((e) => e.tenantSeq)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
    // Naming another tenant gives nothing; naming its own changes nothing.
    expect(await rowsOf(adminOf(acme), { tenantId: globex })).toEqual([]);
    expect(await rowsOf(adminOf(acme), { tenantId: acme, limit: 3 })).toEqual(acmeRows.slice(0, 3));
    // Filters and paging stay within the tenant.
    const page = await client.bus.request(
      Audit.AuditQuery,
      { limit: 4, userId: 'user-1' },
      { actor: adminOf(globex) },
    );
    expect(page.entries).toHaveLength(4);
    expect(page.entries.every((e) => e.tenantId === globex && e.actor.userId === 'user-1')).toBe(
      true,
    );
    const next = await client.bus.request(
      Audit.AuditQuery,
      { limit: 4, userId: 'user-1', before: page.nextBefore },
      { actor: adminOf(globex) },
    );
    expect(next.entries.length).toBeGreaterThan(0);
    expect(next.entries.every((e) => e.tenantId === globex)).toBe(true);
    expect(Math.max(...next.entries.map((e) => e.seq))).toBeLessThan(page.nextBefore!);

    // An admin naming no tenant (tenancy off) is the default tenant's.
    const byDefault = await rowsOf({ userId: 'bo', role: 'admin' });
    expect(byDefault.length).toBeGreaterThan(0);
    expect(new Set(byDefault.map((e) => e.tenantId))).toEqual(new Set([DEFAULT_TENANT]));

    const everyone = new Set((await rowsOf(operator, { limit: 80 })).map((e) => e.tenantId));
    expect(everyone).toEqual(new Set([acme, globex, DEFAULT_TENANT]));
    const globexRows = await rowsOf(operator, { tenantId: globex });
    expect(globexRows).toHaveLength(40);
    expect(new Set(globexRows.map((e) => e.tenantId))).toEqual(new Set([globex]));

    const refused = await client.bus
      .request(Audit.AuditVerify, { tenantId: globex }, { actor: adminOf(acme) })
      .catch((e: Error) => e);
    expect(refused).toMatchObject({ code: 'NOT_FOUND' });
    const forbidden = await client.bus
      .request(
        Audit.AuditQuery,
        { limit: 5 },
        { actor: { userId: 'u', role: 'user', tenantId: acme } },
      )
      .catch((e: Error) => e);
    expect(forbidden).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("writes a tenant's task logs under logs/<tenant>/, the default tenant's where they always were", async () => {
    const { acme } = tenantIds();
    const publishTask = async (actor: Actor) => {
      const taskId = randomUUID();
      const at = new Date().toISOString();
      const event = (seq: number, name: string, data: unknown) =>
        ({ taskId, seq, at, source: 'orchestrator', name, data }) as Tasks.TaskEvent;
      const events: Tasks.TaskEvent[] = [
        event(1, 'orchestrator.task.started', {
          task: 'what is 17 * 23',
          userId: actor.userId,
          planner: 'builtin',
        }),
        event(2, 'orchestrator.task.completed', {
          result: '391',
          planner: 'builtin',
          steps: 0,
          durationMs: 1,
        }),
      ];
      await client.jetstream.publish(
        Tasks.TaskEventPublished,
        [taskId, actor.tenantId ?? 'default', events.at(-1)!.name],
        { taskId, events },
        { msgId: `${taskId}:1-2`, actor },
      );
      // Its end record through SB_AUDIT (as a dead-lettered submission's is): the log is written when
      // it is chained, in the record's tenant.
      const end: Audit.AuditRecordInput = {
        id: randomUUID(),
        at,
        category: 'task',
        action: 'task.completed',
        outcome: 'success',
        source: 'orchestrator',
        actor: { userId: actor.userId, role: actor.role },
        ...(actor.tenantId ? { tenantId: actor.tenantId } : {}),
        taskId,
        details: {},
      };
      await publishAll(client, [end]);
      return taskId;
    };
    const acmeTask = await publishTask({ userId: 'ann', role: 'user', tenantId: acme });
    const defaultTask = await publishTask({ userId: 'ann', role: 'user' });
    const folderOf = (dir: string, taskId: string) =>
      existsSync(dir)
        ? readdirSync(dir).find((n) => n.endsWith(`_${taskHash(taskId)}`))
        : undefined;
    const acmeFolder = await waitFor(() => folderOf(join(taskLogs, acme), acmeTask), {
      what: "acme's task log",
    });
    const meta = await waitFor(
      () => {
        const path = join(taskLogs, acme, acmeFolder, 'metadata.json');
        return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as object) : undefined;
      },
      { what: "acme's task metadata" },
    );
    expect(meta).toMatchObject({
      taskId: acmeTask,
      tenantId: acme,
      folder: join(acme, acmeFolder),
    });
    await waitFor(() => folderOf(taskLogs, defaultTask), { what: "the default tenant's task log" });
    expect(folderOf(taskLogs, acmeTask)).toBeUndefined();
  });
});

/**
 * A trail stored before tenants (hash version 1), migrated, then appended to by tenants: the old rows
 * still verify, in the trail and in the default tenant's slice; tampering shows in the slice it hits.
 */
describe('audit trail upgraded to tenants', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let audit: ServiceHandle;
  let client: BusClient;
  const migrations = join(repoRoot, 'apps/audit/prisma/migrations');
  const migration = (name: string) => readFileSync(join(migrations, name, 'migration.sql'), 'utf8');

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('audit_upgrade');
    const all = readdirSync(migrations)
      .filter((n) => /^\d{14}_/.test(n))
      .sort();
    const tenantChains = all.indexOf('20261125050000_tenant_chains');
    for (const name of all.slice(0, tenantChains)) await db.query(migration(name));
    // Rows as the release before tenants stored them: record fields hashed, no tenant columns.
    let prevHash = GENESIS_HASH;
    for (let i = 0; i < 5; i++) {
      const r = Audit.AuditRecord.parse({ ...record(i, 'legacy', 'acme'), resource: 'calc' });
      const hash = chainHash(prevHash, r);
      await db.query(
        `INSERT INTO "AuditEntry" (id, at, category, action, outcome, source, "userId", role, resource,
           details, "prevHash", hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          r.id,
          r.at,
          r.category,
          r.action,
          r.outcome,
          r.source,
          r.actor.userId,
          r.actor.role,
          r.resource,
          JSON.stringify(r.details),
          prevHash,
          hash,
        ],
      );
      prevHash = hash;
    }
    for (const name of all.slice(tenantChains)) await db.query(migration(name));
    audit = await startService('audit', { NATS_SERVERS: nats.url, DATABASE_URL: db.url });
    client = await createBusClient(nats.url, 'mcp-tools');
  });

  afterAll(async () => {
    await client?.close();
    await audit?.stop();
    await nats?.stop();
    await db?.drop();
  });

  const verify = (actor: Actor, tenantId?: string) =>
    client.bus.request(Audit.AuditVerify, tenantId ? { tenantId } : {}, { actor });

  it('verifies the old rows followed by new ones, and shows tampering in the slice it hits', async () => {
    const runId = randomUUID();
    const tenants = [undefined, 'acme', 'acme', undefined, 'globex', 'acme'];
    const records = tenants.map((t, i) => record(i, runId, t));
    // One by one, so each tenant's rows interleave in the trail.
    for (const r of records) {
      await publishAll(client, [r]);
      await waitFor(
        async () => (await db.query(`SELECT 1 FROM "AuditEntry" WHERE id = $1`, [r.id])).length > 0,
        {
          what: 'the record stored',
        },
      );
    }
    expect(await slices(db, ['acme', DEFAULT_TENANT, 'globex'])).toEqual([
      { tenantId: 'acme', n: 3, first: 1, last: 3 },
      { tenantId: DEFAULT_TENANT, n: 7, first: 1, last: 7 },
      { tenantId: 'globex', n: 1, first: 1, last: 1 },
    ]);
    const versions = await db.query<{ hashVersion: number; tenantId: string }>(
      `SELECT "hashVersion", "tenantId" FROM "AuditEntry" ORDER BY seq`,
    );
    expect(versions.map((v) => v.hashVersion)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    // What a producer said of the tenant before tenants was not stored: those rows are the default's.
    expect(versions.slice(0, 5).every((v) => v.tenantId === DEFAULT_TENANT)).toBe(true);

    expect(await verify(operator)).toMatchObject({ ok: true, scope: 'all', checked: 11 });
    expect(await verify(adminOf(DEFAULT_TENANT))).toMatchObject({
      ok: true,
      tenantId: DEFAULT_TENANT,
      checked: 7,
      lastTenantSeq: 7,
    });
    expect(await verify(adminOf('acme'))).toMatchObject({ ok: true, checked: 3 });

    // acme's second row is removed: acme's slice breaks at its third, the others' stay intact.
    const [removed] = await db.query<{ seq: number }>(
      `DELETE FROM "AuditEntry" WHERE "tenantId" = 'acme' AND "tenantSeq" = 2 RETURNING seq`,
    );
    const acme = await verify(adminOf('acme'));
    expect(acme).toMatchObject({
      ok: false,
      scope: 'tenant',
      tenantId: 'acme',
      checked: 1,
      firstTenantSeq: 1,
      lastTenantSeq: 1,
      firstBrokenTenantSeq: 3,
      reason: 'tenantSeq 3 follows 1: rows of the tenant are missing',
    });
    expect(await verify(adminOf('globex'))).toMatchObject({ ok: true, checked: 1 });
    expect(await verify(operator, DEFAULT_TENANT)).toMatchObject({ ok: true, checked: 7 });
    expect(await verify(operator)).toMatchObject({
      ok: false,
      scope: 'all',
      firstBrokenSeq: removed!.seq + 1,
      reason: 'prevHash does not match the previous row',
    });

    // A row stored before tenants altered: the default tenant's slice breaks there.
    await db.query(
      `UPDATE "AuditEntry" SET outcome = 'denied' WHERE "hashVersion" = 1 AND "tenantSeq" = 4`,
    );
    expect(await verify(adminOf(DEFAULT_TENANT))).toMatchObject({
      ok: false,
      checked: 3,
      firstBrokenTenantSeq: 4,
      reason: 'row content does not match its hash',
    });
  });
});
