import { type Actor, type Tasks, Tools } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  deleteRedisKeys,
  type PrivateNats,
  repoRoot,
  type ServiceHandle,
  spawnManaged,
  startPrivateNats,
  startService,
  type TestDatabase,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import { join } from 'node:path';
import type { Msg } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { auditRecords, ensureStreams, failure, writeToolsFile } from './support.js';

// Four kinds of tool, defined in a tools file (one in the legacy snake_case spelling), all running
// a built-in.
const TOOLS_FILE = `
providers:
  - name: partner
    requiresAuthorization: true
tools:
  - name: t.plain
    description: A tool anyone may use.
    provider: open
    inputSchema: { type: object, additionalProperties: false }
    handler: { kind: builtin, ref: time.now }
  - name: t.role
    description: Analysts only (legacy snake_case spelling).
    provider: open
    input_schema: { type: object, additionalProperties: false }
    handler: python_function
    function: get_current_time
    required_role: analyst
  - name: t.admin
    description: Admins only.
    provider: open
    inputSchema: { type: object, additionalProperties: false }
    handler: { kind: builtin, ref: time.now }
    adminOnly: true
  - name: t.partner
    description: Needs the partner provider authorized.
    provider: partner
    inputSchema: { type: object, additionalProperties: false }
    handler: { kind: builtin, ref: time.now }
`;

const TOOLS = ['t.plain', 't.role', 't.admin', 't.partner'] as const;
type ToolName = (typeof TOOLS)[number];
type ActorName = 'user' | 'analyst' | 'admin' | 'granted';

const MODES: Record<string, Tasks.ToolConstraints | undefined> = {
  auto: undefined,
  'custom providers [open]': { mode: 'custom', providers: ['open'] },
  'custom providers [partner]': { mode: 'custom', providers: ['partner'] },
  'custom tools [t.partner, t.admin]': { mode: 'custom', tools: ['t.partner', 't.admin'] },
};

// Who may use what, written out rather than computed: admins bypass role checks but not admin-only
// tools (they are admins) nor provider authorization (a grant is per user); constraints narrow for all.
const Y = true;
const N = false;
const EXPECTED: Record<string, Record<ToolName, Record<ActorName, boolean>>> = {
  auto: {
    't.plain': { user: Y, analyst: Y, admin: Y, granted: Y },
    't.role': { user: N, analyst: Y, admin: Y, granted: N },
    't.admin': { user: N, analyst: N, admin: Y, granted: N },
    't.partner': { user: N, analyst: N, admin: N, granted: Y },
  },
  'custom providers [open]': {
    't.plain': { user: Y, analyst: Y, admin: Y, granted: Y },
    't.role': { user: N, analyst: Y, admin: Y, granted: N },
    't.admin': { user: N, analyst: N, admin: Y, granted: N },
    't.partner': { user: N, analyst: N, admin: N, granted: N },
  },
  'custom providers [partner]': {
    't.plain': { user: N, analyst: N, admin: N, granted: N },
    't.role': { user: N, analyst: N, admin: N, granted: N },
    't.admin': { user: N, analyst: N, admin: N, granted: N },
    't.partner': { user: N, analyst: N, admin: N, granted: Y },
  },
  'custom tools [t.partner, t.admin]': {
    't.plain': { user: N, analyst: N, admin: N, granted: N },
    't.role': { user: N, analyst: N, admin: N, granted: N },
    't.admin': { user: N, analyst: N, admin: Y, granted: N },
    't.partner': { user: N, analyst: N, admin: N, granted: Y },
  },
};

const run = randomUUID().slice(0, 8);
const ACTORS: Record<ActorName, Actor> = {
  user: { userId: `user-${run}`, role: 'user' },
  analyst: { userId: `analyst-${run}`, role: 'analyst' },
  admin: { userId: `admin-${run}`, role: 'admin' },
  granted: { userId: `granted-${run}`, role: 'user' },
};

const CASES = Object.keys(MODES).flatMap((mode) =>
  TOOLS.flatMap((tool) =>
    (Object.keys(ACTORS) as ActorName[]).map((actor) => ({
      mode,
      tool,
      actor,
      allowed: EXPECTED[mode]![tool][actor],
    })),
  ),
);

const redisPrefix = testRedisPrefix('tools-access');

// The real mcp-tools process: role, admin-only, provider authorization and constraints, at listing and at call time.
describe('access control (real process, NATS, PostgreSQL, Redis)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let service: ServiceHandle;
  let client: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_access', 'mcp-tools');
    client = await createBusClient(nats.url, 'gateway');
    await ensureStreams(client);
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      TOOLS_FILE: writeToolsFile('tools.yaml', TOOLS_FILE),
    });
    await client.bus.request(
      Tools.AuthorizationGrant,
      { userId: ACTORS.granted.userId, provider: 'partner' },
      { actor: ACTORS.admin },
    );
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  const manifest = (actor: Actor, constraints?: Tasks.ToolConstraints, taskId?: string) =>
    client.bus.request(
      Tools.ToolsManifest,
      { ...(constraints ? { constraints } : {}), ...(taskId ? { taskId } : {}) },
      { actor },
    );
  const call = (actor: Actor, tool: string, extra: Partial<Tools.ToolCallRequest> = {}) =>
    client.bus.request(Tools.ToolsCall, { tool, input: {}, ...extra }, { actor });

  it.each(CASES)(
    '$mode: $actor × $tool → allowed=$allowed (listed and callable alike)',
    async ({ mode, tool, actor, allowed }) => {
      const constraints = MODES[mode];
      const listed = (await manifest(ACTORS[actor], constraints)).tools.map((t) => t.name);
      expect(listed.includes(tool)).toBe(allowed);
      if (allowed) {
        const result = await call(ACTORS[actor], tool, constraints ? { constraints } : {});
        expect(result.output).toMatchObject({ timezone: 'UTC' });
      } else {
        const refused = await failure(
          call(ACTORS[actor], tool, constraints ? { constraints } : {}),
        );
        expect(refused.code).toBe('FORBIDDEN');
        expect(refused.message).toContain(tool);
      }
    },
  );

  it('audits refusals as denied, with the reason', async () => {
    await failure(call(ACTORS.user, 't.admin'));
    const denied = await waitFor(async () => {
      const records = await auditRecords(client);
      return records.find(
        (r) =>
          r.action === 'tool.call' &&
          r.outcome === 'denied' &&
          r.actor.userId === ACTORS.user.userId &&
          r.resource === 't.admin',
      );
    });
    expect(denied.details).toMatchObject({
      code: 'FORBIDDEN',
      message: 'tool t.admin is admin-only',
    });
  });

  it("checks each call of a task against the task's constraints, with nothing stored per task", async () => {
    const taskId = randomUUID();
    const constraints = { mode: 'custom' as const, providers: ['open'] };
    const offered = await manifest(ACTORS.user, constraints, taskId);
    expect(offered.tools.map((t) => t.name)).toEqual(['t.plain']);
    await expect(call(ACTORS.user, 't.plain', { taskId, constraints })).resolves.toMatchObject({
      tool: 't.plain',
    });
    // A tool outside the task's constraints is refused on the call itself, as the manifest left it out.
    const forced = await failure(
      call(ACTORS.user, 'calculator', { taskId, constraints, input: { expression: '1+1' } }),
    );
    expect(forced.code).toBe('FORBIDDEN');
    expect(forced.details).toMatchObject({ tool: 'calculator', refusal: 'not-permitted' });
    // A task needs no manifest stored for it: its first call runs under the caller's rights.
    await expect(
      call(ACTORS.user, 'calculator', { taskId: randomUUID(), input: { expression: '1+1' } }),
    ).resolves.toMatchObject({ output: { result: 2 } });
  });

  describe('provider authorizations', () => {
    const alice: Actor = { userId: `alice-${run}`, role: 'user' };
    const admin = ACTORS.admin;

    it('grant and revoke change the manifest at once (the cache is invalidated), are audited and announced', async () => {
      const changes: unknown[] = [];
      const sub = client.bus.connection.subscribe(Tools.ToolsChanged.pattern, {
        callback: (_e: unknown, m: Msg) => {
          changes.push((m.json() as { data: unknown }).data);
        },
      });
      try {
        expect((await manifest(alice)).tools.map((t) => t.name)).not.toContain('t.partner');
        expect((await manifest(alice)).cached).toBe(true);

        const granted = await client.bus.request(
          Tools.AuthorizationGrant,
          { userId: alice.userId, provider: 'partner' },
          { actor: admin },
        );
        expect(granted).toMatchObject({
          userId: alice.userId,
          grant: { provider: 'partner', grantedBy: admin.userId },
        });
        const after = await manifest(alice);
        expect(after.cached).toBe(false);
        expect(after.tools.map((t) => t.name)).toContain('t.partner');
        await expect(call(alice, 't.partner')).resolves.toMatchObject({ tool: 't.partner' });

        const listed = await client.bus.request(Tools.AuthorizationsList, {}, { actor: alice });
        expect(listed.grants.map((g) => g.provider)).toEqual(['partner']);
        expect(listed.providers).toEqual(
          expect.arrayContaining([
            { provider: 'partner', requiresAuthorization: true, authorized: true },
            { provider: 'open', requiresAuthorization: false, authorized: false },
          ]),
        );

        const revoked = await client.bus.request(
          Tools.AuthorizationRevoke,
          { userId: alice.userId, provider: 'partner' },
          { actor: admin },
        );
        expect(revoked).toEqual({ userId: alice.userId, provider: 'partner', revoked: true });
        expect((await manifest(alice)).tools.map((t) => t.name)).not.toContain('t.partner');
        expect((await failure(call(alice, 't.partner'))).code).toBe('FORBIDDEN');
        expect(
          (
            await client.bus.request(
              Tools.AuthorizationRevoke,
              { userId: alice.userId, provider: 'partner' },
              { actor: admin },
            )
          ).revoked,
        ).toBe(false);

        await waitFor(
          () =>
            changes.filter((c) => (c as { userId?: string }).userId === alice.userId).length >= 3,
          { what: 'ToolsChanged events' },
        );
        expect(changes[0]).toMatchObject({
          reason: 'authorizations',
          userId: alice.userId,
          registryVersion: expect.any(String),
        });
        const audited = await waitFor(async () => {
          const rows = (await auditRecords(client)).filter(
            (r) => r.resource === `${alice.userId}/partner`,
          );
          return rows.length >= 3 ? rows : undefined;
        });
        expect(audited.map((r) => [r.action, r.outcome, r.actor.userId])).toEqual([
          ['tools.authorization.grant', 'success', admin.userId],
          ['tools.authorization.revoke', 'success', admin.userId],
          ['tools.authorization.revoke', 'success', admin.userId],
        ]);
      } finally {
        sub.unsubscribe();
      }
    });

    it('lets users list only their own authorizations and only admins grant or revoke', async () => {
      expect(
        (
          await failure(
            client.bus.request(
              Tools.AuthorizationsList,
              { userId: 'someone-else' },
              { actor: alice },
            ),
          )
        ).code,
      ).toBe('FORBIDDEN');
      await expect(
        client.bus.request(Tools.AuthorizationsList, { userId: alice.userId }, { actor: admin }),
      ).resolves.toMatchObject({ userId: alice.userId });
      const grant = await failure(
        client.bus.request(
          Tools.AuthorizationGrant,
          { userId: alice.userId, provider: 'partner' },
          { actor: alice },
        ),
      );
      expect(grant.code).toBe('FORBIDDEN');
      const revoke = await failure(
        client.bus.request(
          Tools.AuthorizationRevoke,
          { userId: alice.userId, provider: 'partner' },
          { actor: alice },
        ),
      );
      expect(revoke.code).toBe('FORBIDDEN');
      const unknown = await failure(
        client.bus.request(
          Tools.AuthorizationGrant,
          { userId: alice.userId, provider: 'nope' },
          { actor: admin },
        ),
      );
      expect(unknown.code).toBe('NOT_FOUND');
      const rows = await db.query('SELECT * FROM "ProviderAuthorization" WHERE "userId" = $1', [
        alice.userId,
      ]);
      expect(rows).toEqual([]);
    });
  });

  it('refuses to start with an invalid tools file, naming the entry and the field', async () => {
    const bad = writeToolsFile(
      'bad.json',
      JSON.stringify({
        tools: [
          {
            name: 'x',
            description: 'x',
            input_schema: { type: 'array' },
            handler: 'python_function',
            function: 'calculator',
          },
        ],
      }),
    );
    const proc = spawnManaged(
      process.execPath,
      [join(repoRoot, 'dist/apps/mcp-tools/src/main.js')],
      {
        name: 'mcp-tools-bad-file',
        cwd: repoRoot,
        env: {
          NODE_ENV: 'test',
          PORT: '0',
          NATS_SERVERS: nats.url,
          DATABASE_URL: db.url,
          REDIS_KEY_PREFIX: testRedisPrefix('bad'),
          TOOLS_FILE: bad,
        },
      },
    );
    expect(await proc.exited).toBe(1);
    await proc.settled; // its last lines are read after 'exit'
    const fatal = proc
      .logs()
      .split('\n')
      .filter((l) => l.includes('"level":"fatal"'))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(fatal).toEqual([
      expect.stringContaining(`mcp-tools failed to start: invalid TOOLS_FILE ${bad} (1 problem):`),
    ]);
    expect(fatal[0]).toContain(
      'tools[0] ("x"): inputSchema: must be a JSON Schema with "type": "object"',
    );
  });
});
