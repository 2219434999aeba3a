import type { Actor, Agents, Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { ReadinessRegistry } from '@switchboard/observability';
import {
  createBusClient,
  createTestDatabase,
  startPrivateNats,
  type TestDatabase,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { sha256 } from '../src/agent-versions/agent-config.js';
import { AgentRepository, type NewVersion } from '../src/agent-versions/agent.repository.js';
import { AgentRoutingRepository } from '../src/agent-versions/agent-routing.repository.js';
import { DefaultAgentCopies } from '../src/agent-versions/default-agent.copies.js';
import { AgentVersionResolver } from '../src/agent-versions/resolve-agent-version/agent-version.resolver.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { ruleCopiesDeps } from '../src/tenancy/tenant-rule.fakes.js';

const config = (instructions: string, tools?: string[]): Agents.AgentConfig => ({
  instructions,
  model: { name: 'gpt-test' },
  ...(tools ? { tools } : {}),
  limits: {},
});
const version = (instructions: string, tools?: string[]): NewVersion => ({
  id: randomUUID(),
  config: config(instructions, tools),
  instructionsSha256: sha256(instructions),
  createdBy: 'ann',
});

/**
 * Agent versions on a real PostgreSQL (docs/agents.md): names are unique per tenant, writers of one
 * agent from separate connection pools (as separate replicas) never give two versions one number,
 * a label's move reads the version it really leaves, and a task's stamp is stored once — the first
 * resolution is the one every later run takes.
 */
describe('agent versions (real PostgreSQL)', () => {
  let db: TestDatabase;
  let prismas: PrismaService[];
  let repos: AgentRepository[];

  beforeAll(async () => {
    db = await createTestDatabase('orch_agent_versions', 'orchestrator');
    prismas = [0, 1, 2, 3].map(
      () => new PrismaService({ DATABASE_URL: db.url }, new ReadinessRegistry()),
    );
    await Promise.all(prismas.map((p) => p.$connect()));
    repos = prismas.map((p) => new AgentRepository(p));
  });

  afterAll(async () => {
    await Promise.all((prismas ?? []).map((p) => p.$disconnect()));
    await db?.drop();
  });

  const first = () => {
    const [repo] = repos;
    if (!repo) throw new Error('no repository');
    return repo;
  };

  it('keeps names unique per tenant: the same name in another tenant is another agent', async () => {
    const a = await first().create(
      { id: randomUUID(), tenantId: 'acme', name: 'support' },
      version('v1'),
    );
    expect(a?.view).toMatchObject({ agent: 'support', latestVersion: 1 });
    expect(a?.view.labels.map((l) => [l.label, l.version])).toEqual([['production', 1]]);
    const again = await first().create(
      { id: randomUUID(), tenantId: 'acme', name: 'support' },
      version('v1'),
    );
    expect(again).toBeUndefined();
    const other = await first().create(
      { id: randomUUID(), tenantId: 'globex', name: 'support' },
      version('theirs'),
    );
    expect(other?.view.tenantId).toBe('globex');
    expect((await first().list('acme')).map((v) => v.agent)).toEqual(['support']);
    expect(await first().find('initech', 'support')).toBeUndefined();
  });

  it('numbers versions written at once from four pools 2..13 with no gap or twin', async () => {
    const created = await first().create(
      { id: randomUUID(), tenantId: 'acme', name: 'busy' },
      version('v1'),
    );
    const agentId = created?.id ?? '';
    const written = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (repos[i % repos.length] ?? first()).addVersion(agentId, 'acme', version(`v${i + 2}`)),
      ),
    );
    expect(written.map((v) => v.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 2),
    );
    const listed = await first().versions(agentId);
    expect(listed.map((v) => v.version)).toEqual(Array.from({ length: 13 }, (_, i) => 13 - i));
    expect((await first().find('acme', 'busy'))?.view.latestVersion).toBe(13);
  });

  it("moves a label under the agent's lock: each move reads where the last one left it", async () => {
    const created = await first().create(
      { id: randomUUID(), tenantId: 'acme', name: 'labels' },
      version('v1'),
    );
    const agentId = created?.id ?? '';
    const v2 = await first().addVersion(agentId, 'acme', version('v2'));
    const v1 = await first().version(agentId, 1);
    if (!v1) throw new Error('no version 1');
    // Eight moves at once, alternating between 1 and 2: every `from` is a version the label held.
    const moves = await Promise.all(
      Array.from({ length: 8 }, (_, i) => {
        const to = i % 2 ? v1 : v2;
        return (repos[i % repos.length] ?? first()).moveLabel(
          agentId,
          'acme',
          'production',
          { version: to.version, versionId: to.versionId },
          'ann',
          (from) => from !== to.version,
        );
      }),
    );
    const written = moves.filter((m) => m.written);
    // Serialized, the written moves alternate 1→2, 2→1, …: as many of one as of the other (one
    // more of the first), and the label ends where the last of them took it. Two moves reading the
    // same `from` at once would both write 1→2.
    const up = written.filter((m) => m.to.version === 2).length;
    const down = written.filter((m) => m.to.version === 1).length;
    expect(up - down).toBeGreaterThanOrEqual(0);
    expect(up - down).toBeLessThanOrEqual(1);
    const now = await first().labelled(agentId, 'production');
    expect(now?.version).toBe(up > down ? 2 : 1);
    // A version a label points at cannot be deleted from under it.
    await expect(
      prismas[0]?.agentVersion.delete({ where: { id: now?.versionId ?? '' } }),
    ).rejects.toThrow();
  });

  it("stores a task's stamp once: a second resolution (another replica) gets the first", async () => {
    const created = await first().create(
      { id: randomUUID(), tenantId: 'acme', name: 'stamped' },
      version('v1', ['echo']),
    );
    const agentId = created?.id ?? '';
    const bus = {
      request: () =>
        Promise.resolve({
          tools: [
            {
              name: 'echo',
              title: 'e',
              description: 'e',
              provider: 'p',
              inputSchema: {},
              idempotent: true,
            },
            {
              name: 'notes.add',
              title: 'n',
              description: 'n',
              provider: 'p',
              inputSchema: {},
              idempotent: true,
            },
          ],
          mode: 'auto',
          cached: false,
          generatedAt: new Date().toISOString(),
        }),
    } as unknown as NatsBus;
    const resolvers = repos.map((r, i) => {
      const routing = new AgentRoutingRepository(prismas[i]!);
      const { config, logger } = ruleCopiesDeps();
      return new AgentVersionResolver(
        r,
        bus,
        routing,
        new DefaultAgentCopies(routing, bus, config, logger),
      );
    });
    const actor: Actor = { userId: 'bob', role: 'user', tenantId: 'acme' };
    const s: Tasks.TaskSubmission = {
      taskId: randomUUID(),
      actor,
      request: { task: 'hi', agent: { name: 'stamped' } },
      submittedAt: new Date().toISOString(),
      correlationId: 'c',
    };
    const firstRun = await resolvers[0]?.resolve(s);
    expect(firstRun?.stamp).toMatchObject({
      version: 1,
      tools: 1,
      instructionsSha256: sha256('v1'),
    });
    const v2 = await first().addVersion(agentId, 'acme', version('v2'));
    await first().moveLabel(agentId, 'acme', 'production', v2, 'ann', () => true);
    const [again, fresh] = await Promise.all([
      resolvers[1]?.resolve(s),
      resolvers[2]?.resolve({ ...s, taskId: randomUUID() }),
    ]);
    expect(again?.stamp).toEqual(firstRun?.stamp);
    expect(fresh?.stamp.version).toBe(2);
    const rows = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM "AgentTaskStamp" WHERE "taskId" = '${s.taskId}'`,
    );
    expect(rows[0]?.n).toBe('1');
  });

  it("keeps one default agent per tenant and a label's canary, shown on the agent's view", async () => {
    const routing = new AgentRoutingRepository(prismas[0]!);
    const a = await first().create(
      { id: randomUUID(), tenantId: 'acme', name: 'routed' },
      version('v1'),
    );
    const b = await first().create(
      { id: randomUUID(), tenantId: 'acme', name: 'routed-too' },
      version('v1'),
    );
    const [aId, bId] = [a?.id ?? '', b?.id ?? ''];
    expect(await routing.setDefault('acme', aId, true, 'ann')).toEqual({ previous: undefined });
    expect(await routing.setDefault('acme', bId, true, 'ann')).toEqual({ previous: 'routed' });
    // Unsetting one that is not the default keeps the default; unsetting the default clears it.
    await routing.setDefault('acme', aId, false, 'ann');
    expect(await routing.defaultAgent('acme')).toBe('routed-too');
    expect((await first().list('acme')).filter((v) => v.isDefault).map((v) => v.agent)).toEqual([
      'routed-too',
    ]);
    await routing.setDefault('acme', bId, false, 'ann');
    expect(await routing.defaultAgent('acme')).toBeUndefined();
    expect(await routing.defaultAgent('globex')).toBeUndefined();

    const v2 = await first().addVersion(aId, 'acme', version('v2'));
    expect(await routing.setCanary(aId, 'staging', { versionId: v2.versionId, weight: 10 })).toBe(
      false,
    );
    expect(
      await routing.setCanary(aId, 'production', { versionId: v2.versionId, weight: 10 }),
    ).toBe(true);
    expect((await routing.canary(aId, 'production'))?.version.version).toBe(2);
    expect((await first().find('acme', 'routed'))?.view.labels[0]).toMatchObject({
      label: 'production',
      version: 1,
      canary: { version: 2, weight: 10, versionId: v2.versionId },
    });
    // The database refuses a weight out of 1-99, and a canary's version cannot be deleted.
    await expect(
      db.query(`UPDATE "AgentLabel" SET "canaryWeight" = 100 WHERE "agentId" = '${aId}'`),
    ).rejects.toThrow(/AgentLabel_canary_check/);
    await expect(
      prismas[0]?.agentVersion.delete({ where: { id: v2.versionId } }),
    ).rejects.toThrow();
    await routing.setCanary(aId, 'production', undefined);
    expect(await routing.canary(aId, 'production')).toBeUndefined();
  });

  it("brings a default set on one replica to the other's copy by its announcement (real NATS), long before the copy expires", async () => {
    const nats = await startPrivateNats();
    const clients = await Promise.all([0, 1].map(() => createBusClient(nats.url, 'orchestrator')));
    try {
      const [here, there] = clients.map((c, i) => {
        const { logger } = ruleCopiesDeps();
        const routing = new AgentRoutingRepository(prismas[i]!);
        const copies = new DefaultAgentCopies(
          routing,
          c.bus,
          { TENANT_RULES_CACHE_TTL_MS: 3_600_000 },
          logger,
        );
        return { routing, copies };
      });
      await Promise.all([here!.copies.onModuleInit(), there!.copies.onModuleInit()]);
      const agent = await first().create(
        { id: randomUUID(), tenantId: 'initech', name: 'announced' },
        version('v1'),
      );
      expect(await there!.copies.get('initech')).toBeUndefined(); // kept for an hour from here
      await here!.routing.setDefault('initech', agent?.id ?? '', true, 'ann');
      here!.copies.ruleChanged('initech');
      expect(
        await waitFor(async () => (await there!.copies.get('initech')) === 'announced', {
          what: "the other replica's copy to follow the announcement",
        }),
      ).toBe(true);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await nats.stop();
    }
  });
});
