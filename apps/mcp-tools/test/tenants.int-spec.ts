import { type Actor, type Audit, Tools } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  deleteRedisKeys,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
  startService,
  type TestDatabase,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { auditRecords, ensureStreams, failure, writeToolsFile } from './support.js';

const TOOLS_FILE = `
providers:
  - name: partner
    requiresAuthorization: true
tools:
  - name: t.partner
    description: Needs the partner provider authorized.
    provider: partner
    inputSchema: { type: object, additionalProperties: false }
    handler: { kind: builtin, ref: time.now }
`;

const redisPrefix = testRedisPrefix('tools-tenants');
const run = randomUUID().slice(0, 8);
// The same user id in two tenants: two people, who must never see, replay or reach each other's.
const alice: Actor = { userId: `alice-${run}`, role: 'user' };
const acmeAlice: Actor = { ...alice, tenantId: `acme-${run}` };
const admin: Actor = { userId: `root-${run}`, role: 'admin' };
const acmeAdmin: Actor = { userId: `ann-${run}`, role: 'admin', tenantId: acmeAlice.tenantId! };
const operator: Actor = { userId: `ops-${run}`, role: 'platform-admin', tenantId: `globex-${run}` };

// The real mcp-tools process on its own PostgreSQL database: every store scoped by tenant.
describe('tenants (real process, NATS, PostgreSQL, Redis)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let service: ServiceHandle;
  let client: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_tenants', 'mcp-tools');
    client = await createBusClient(nats.url, 'gateway');
    await ensureStreams(client);
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      TOOLS_FILE: writeToolsFile('tools.yaml', TOOLS_FILE),
    });
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  const call = (actor: Actor, tool: string, input: Record<string, unknown>, extra: object = {}) =>
    client.bus.request(Tools.ToolsCall, { tool, input, ...extra }, { actor });
  const names = async (actor: Actor) =>
    (await client.bus.request(Tools.ToolsManifest, {}, { actor })).tools.map((t) => t.name);
  const otherTenantRecords = async (resource: string, count: number) =>
    waitFor(async () => {
      const rows = (await auditRecords(client)).filter(
        (r) => r.resource === resource && r.details['reason'] === 'other_tenant',
      );
      return rows.length >= count ? rows : undefined;
    });

  describe('notes', () => {
    it("answers another tenant's note as a missing one and audits it; its own tenant and the operator read it", async () => {
      const note = (await call(acmeAlice, 'notes.add', { content: 'acme only' }))
        .output as Tools.Note;
      const rows = await db.query('SELECT "tenantId", "userId" FROM "Note" WHERE id = $1', [
        note.id,
      ]);
      expect(rows).toEqual([{ tenantId: acmeAlice.tenantId, userId: alice.userId }]);

      const refused = await failure(call(alice, 'notes.get', { id: note.id }));
      const missing = await failure(call(alice, 'notes.get', { id: randomUUID() }));
      expect(refused).toMatchObject({ code: 'NOT_FOUND', message: `note ${note.id} not found` });
      expect(Object.keys(refused.details ?? {})).toEqual(Object.keys(missing.details ?? {}));
      expect((await failure(call(admin, 'notes.get', { id: note.id }))).code).toBe('NOT_FOUND');

      await expect(call(acmeAdmin, 'notes.get', { id: note.id })).resolves.toMatchObject({
        output: note,
      });
      await expect(call(operator, 'notes.get', { id: note.id })).resolves.toMatchObject({
        output: note,
      });
      const audited = await otherTenantRecords('notes.get', 2);
      expect(audited.map((r) => [r.action, r.outcome, r.tenantId, r.actor.userId])).toEqual([
        ['tool.call', 'denied', 'default', alice.userId],
        ['tool.call', 'denied', 'default', admin.userId],
      ]);
      expect(audited[0]?.details).toMatchObject({ noteId: note.id });
    });

    it("lists the caller's notes of their own tenant only", async () => {
      const bob: Actor = { userId: `bob-${run}`, role: 'user' };
      await call(bob, 'notes.add', { content: 'default bob' });
      await call({ ...bob, tenantId: acmeAlice.tenantId! }, 'notes.add', { content: 'acme bob' });
      const listed = (actor: Actor) =>
        call(actor, 'notes.list', {}).then((r) =>
          (r.output as { notes: Tools.Note[] }).notes.map((n) => n.content),
        );
      expect(await listed(bob)).toEqual(['default bob']);
      expect(await listed({ ...bob, tenantId: acmeAlice.tenantId! })).toEqual(['acme bob']);
    });
  });

  it('keeps an idempotency key per tenant: the same key twice is two calls, each replayed on its own', async () => {
    const key = `task-${run}:s1`;
    const first = await call(alice, 'notes.add', { content: 'default' }, { idempotencyKey: key });
    const other = await call(acmeAlice, 'notes.add', { content: 'acme' }, { idempotencyKey: key });
    expect(other.replayed).toBe(false);
    expect((other.output as Tools.Note).id).not.toBe((first.output as Tools.Note).id);
    const again = await call(acmeAlice, 'notes.add', { content: 'x' }, { idempotencyKey: key });
    expect(again).toMatchObject({ replayed: true, output: other.output });
    const mine = await call(alice, 'notes.add', { content: 'y' }, { idempotencyKey: key });
    expect(mine).toMatchObject({ replayed: true, output: first.output });
    const calls = await db.query<{ tenantId: string; status: string }>(
      'SELECT "tenantId", status FROM "ToolCall" WHERE "idempotencyKey" = $1 ORDER BY 1',
      [key],
    );
    expect(calls).toEqual([
      { tenantId: acmeAlice.tenantId, status: 'completed' },
      { tenantId: 'default', status: 'completed' },
    ]);
    const notes = await db.query('SELECT "tenantId" FROM "Note" WHERE "idempotencyKey" = $1', [
      key,
    ]);
    expect(notes).toHaveLength(2);
  });

  it("grants in the admin's tenant only; another tenant's admin neither sees nor revokes it", async () => {
    const grant = (actor: Actor) =>
      client.bus.request(
        Tools.AuthorizationGrant,
        { userId: alice.userId, provider: 'partner' },
        { actor },
      );
    await grant(acmeAdmin);
    expect(await names(acmeAlice)).toContain('t.partner');
    expect(await names(alice)).not.toContain('t.partner');
    expect((await failure(call(alice, 't.partner', {}))).code).toBe('FORBIDDEN');

    const list = (actor: Actor) =>
      client.bus.request(Tools.AuthorizationsList, { userId: alice.userId }, { actor });
    expect((await list(admin)).grants).toEqual([]);
    expect((await list(acmeAdmin)).grants.map((g) => g.provider)).toEqual(['partner']);
    expect((await list(operator)).grants.map((g) => g.grantedBy)).toEqual([acmeAdmin.userId]);

    const revoke = client.bus.request(
      Tools.AuthorizationRevoke,
      { userId: alice.userId, provider: 'partner' },
      { actor: admin },
    );
    await expect(revoke).resolves.toEqual({
      userId: alice.userId,
      provider: 'partner',
      revoked: false,
    });
    expect(await names(acmeAlice)).toContain('t.partner');
    const audited = await otherTenantRecords(`${alice.userId}/partner`, 1);
    expect(audited[0]).toMatchObject({
      action: 'tools.authorization.revoke',
      outcome: 'denied',
      tenantId: 'default',
    } satisfies Partial<Audit.AuditRecord>);
    const rows = await db.query(
      'SELECT "tenantId" FROM "ProviderAuthorization" WHERE "userId" = $1',
      [alice.userId],
    );
    expect(rows).toEqual([{ tenantId: acmeAlice.tenantId }]);
  });

  it("applies an admin's approval policy override to their own tenant's calls only", async () => {
    const set = (actor: Actor, policy: object | null) =>
      client.bus.request(Tools.ApprovalPolicySet, { tool: 'calculator', policy }, { actor });
    await expect(set(acmeAdmin, {})).resolves.toMatchObject({ source: 'override' });
    const input = { expression: '1 + 1' };
    const refused = await failure(call(acmeAlice, 'calculator', input));
    expect(refused).toMatchObject({ code: 'FORBIDDEN' });
    await expect(call(alice, 'calculator', input)).resolves.toMatchObject({
      output: { result: 2 },
    });
    const policies = async (actor: Actor) =>
      (await client.bus.request(Tools.ApprovalPolicyList, {}, { actor })).policies.map(
        (p) => p.tool,
      );
    expect(await policies(acmeAdmin)).toContain('calculator');
    expect(await policies(admin)).not.toContain('calculator');
    const offered = await client.bus.request(Tools.ToolsManifest, {}, { actor: acmeAlice });
    expect(offered.tools.find((t) => t.name === 'calculator')?.approval).toBeDefined();
    const plain = await client.bus.request(Tools.ToolsManifest, {}, { actor: alice });
    expect(plain.tools.find((t) => t.name === 'calculator')?.approval).toBeUndefined();
    const rows = await db.query('SELECT "tenantId" FROM "ApprovalPolicyOverride"');
    expect(rows).toEqual([{ tenantId: acmeAlice.tenantId }]);
  });
});
