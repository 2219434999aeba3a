import { type Actor, Tools } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  deleteRedisKeys,
  generatedTools,
  type ModernMcpServer,
  type PrivateNats,
  type ServiceHandle,
  startModernMcpServer,
  startPrivateNats,
  startService,
  type TestDatabase,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { ensureStreams, failure, writeToolsFile } from './support.js';

const redisPrefix = testRedisPrefix('tools-search');
const run = randomUUID().slice(0, 8);
const acme = `acme-${run}`;
const globex = `globex-${run}`;
const user: Actor = { userId: `ann-${run}`, role: 'user', tenantId: acme };
const admin: Actor = { userId: `root-${run}`, role: 'admin', tenantId: acme };
// globex may use the built-ins only: the corp server's tools are not the tenant's.
const outsider: Actor = { userId: `bob-${run}`, role: 'admin', tenantId: globex };

// The real mcp-tools process with a real MCP server of 500 generated tools (2026-07-28 revision) beside
// the built-ins: the offer defers them past TOOL_DEFER_THRESHOLD (40), search_tools finds them by words
// over the caller's own tools only (docs/tools.md "Deferred tools and tool search").
describe('tool search (real mcp-tools, a real MCP server of 500 tools, NATS, PostgreSQL)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let corp: ModernMcpServer;
  let service: ServiceHandle;
  let client: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_search', 'mcp-tools');
    corp = await startModernMcpServer({ tools: generatedTools(500) });
    client = await createBusClient(nats.url, 'gateway');
    await ensureStreams(client);
    const tenants = { tenants: { [globex]: { tools: { providers: ['math', 'tool-search'] } } } };
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      TENANTS_FILE: writeToolsFile('tenants.json', JSON.stringify(tenants)),
      MCP_SERVERS: JSON.stringify([
        {
          name: 'corp',
          url: corp.url,
          tools: {
            github_delete_repository: { adminOnly: true },
            stripe_create_refund: { approval: {} },
            github_create_issue: { deferred: false },
          },
        },
      ]),
    });
    await waitFor(async () => ((await offer(admin)).length > 503 ? true : undefined), {
      what: "the corp server's tools registered",
    });
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await corp?.close();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  const offer = async (actor: Actor) =>
    (await client.bus.request(Tools.ToolsManifest, {}, { actor })).tools;
  const search = (actor: Actor, query: string, limit?: number) =>
    client.bus.request(Tools.ToolsSearch, { query, ...(limit ? { limit } : {}) }, { actor });
  const found = async (actor: Actor, query: string) =>
    (await search(actor, query)).results.map((h) => h.tool.name);
  const call = (actor: Actor, tool: string, input: Record<string, unknown>) =>
    client.bus.request(Tools.ToolsCall, { tool, input }, { actor });

  it("defers the server's tools past the threshold, keeps the built-ins and a pinned tool, offers the search", async () => {
    const tools = await offer(user);
    const deferred = tools.filter((t) => t.deferred).map((t) => t.name);
    // 500 generated and the server's own 3 listed; one admin-only, one pinned
    expect(deferred).toHaveLength(501);
    expect(deferred.every((n) => n.startsWith('corp__'))).toBe(true);
    const shown = tools.filter((t) => !t.deferred).map((t) => t.name);
    expect(shown).toEqual(
      expect.arrayContaining(['calculator', 'corp__github_create_issue', Tools.SEARCH_TOOL_NAME]),
    );
  });

  it('finds tools by words over only what the caller may call: role and tenant', async () => {
    expect((await found(admin, 'delete a github repository'))[0]).toBe(
      'corp__github_delete_repository',
    );
    const asUser = await found(user, 'delete a github repository');
    expect(asUser.length).toBeGreaterThan(0);
    expect(asUser).not.toContain('corp__github_delete_repository');
    const other = await search(outsider, 'open a github issue');
    expect(other.results.filter((h) => h.tool.provider === 'corp')).toEqual([]);
    expect(other.searched).toBeLessThan(20);
  });

  it('refuses a call of a tool found by another user that the caller may not call', async () => {
    expect(await found(admin, 'delete github repository')).toContain(
      'corp__github_delete_repository',
    );
    const byRole = await failure(
      call(user, 'corp__github_delete_repository', { repository_id: 'r' }),
    );
    expect(byRole.code).toBe('FORBIDDEN');
    const byTenant = await failure(call(outsider, 'corp__github_create_issue', { name: 'x' }));
    expect(byTenant.code).toBe('FORBIDDEN');
    expect(corp.log.calls.map((c) => c.tool)).toEqual([]);
    // the one who may call it does
    await call(user, 'corp__github_create_issue', { name: 'x' });
    expect(corp.log.calls.map((c) => c.tool)).toEqual(['github_create_issue']);
  });

  it('shows a tool that needs approval as such, with its schema and fingerprint', async () => {
    const { results } = await search(user, 'create a stripe refund', 1);
    expect(results[0]?.tool).toMatchObject({
      name: 'corp__stripe_create_refund',
      approval: expect.objectContaining({ approvers: expect.anything() }),
      inputSchema: expect.objectContaining({ type: 'object' }),
    });
    expect(results[0]?.fingerprint).toMatch(/^[0-9a-f]{12}$/);
  });

  it('answers search_tools as a tool call with what the search answers, never finding itself', async () => {
    const direct = await search(user, 'send an sms with twilio');
    const viaTool = await call(user, Tools.SEARCH_TOOL_NAME, { query: 'send an sms with twilio' });
    expect(Tools.ToolSearchResult.parse(viaTool.output)).toEqual(direct);
    expect(direct.results.map((h) => h.tool.name)).not.toContain(Tools.SEARCH_TOOL_NAME);
    const refused = await failure(search(user, ' '));
    expect(refused).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('query'),
    });
  });
});
