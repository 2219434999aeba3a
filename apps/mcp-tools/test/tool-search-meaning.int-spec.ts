import { type Actor, Tools } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  deleteRedisKeys,
  type EmbeddingsStub,
  generatedTools,
  type ModernMcpServer,
  type PrivateNats,
  type ServiceHandle,
  startEmbeddingsStub,
  startModernMcpServer,
  startPrivateNats,
  startService,
  type TestDatabase,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { ensureStreams } from './support.js';

const redisPrefix = testRedisPrefix('tools-search-meaning');
const run = randomUUID().slice(0, 8);
const user: Actor = { userId: `ann-${run}`, role: 'user', tenantId: `acme-${run}` };
const KEY = `emb-key-${run}`;
// Shares no word with any tool: only the embeddings (the stub puts "file" near "create" and "bug"
// near "ticket") relate it to the Jira tool that creates a ticket.
const QUERY = 'file a bug';

// The real mcp-tools process with a real MCP server of 40 generated tools (GitHub and Jira) and an
// OpenAI-compatible embeddings endpoint (a real HTTP stub, synonyms near each other): search_tools
// fuses the words' ranking with the meaning's (docs/tools.md "Deferred tools and tool search").
describe('tool search by meaning (real mcp-tools, MCP server, embeddings stub)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let stub: EmbeddingsStub;
  let corp: ModernMcpServer;
  let service: ServiceHandle;
  let client: BusClient;
  /** The corp tools offered: the 40 generated and the server's own. */
  let corpTools = 0;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_search_meaning', 'mcp-tools');
    stub = await startEmbeddingsStub({
      dimensions: 256,
      synonyms: [
        ['create', 'file', 'open'],
        ['ticket', 'bug', 'defect'],
      ],
    });
    corp = await startModernMcpServer({ tools: generatedTools(40) });
    client = await createBusClient(nats.url, 'gateway');
    await ensureStreams(client);
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      MCP_SERVERS: JSON.stringify([{ name: 'corp', url: corp.url }]),
      MEMORY_EMBEDDINGS_BASE_URL: stub.baseUrl,
      MEMORY_EMBEDDINGS_MODEL: 'stub-embed',
      MEMORY_EMBEDDINGS_API_KEY: KEY,
      MEMORY_EMBEDDINGS_REEMBED_MS: '86400000',
    });
    await waitFor(
      async () => {
        const { tools } = await client.bus.request(Tools.ToolsManifest, {}, { actor: user });
        corpTools = tools.filter((t) => t.provider === 'corp').length;
        return corpTools >= 40 ? true : undefined;
      },
      { what: "the corp server's tools registered" },
    );
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await corp?.close();
    await stub?.stop();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  const found = async (query: string) =>
    (await client.bus.request(Tools.ToolsSearch, { query }, { actor: user })).results.map(
      (h) => h.tool.name,
    );
  const embedded = () => stub.requests.flatMap((r) => r.body.input as string[]);

  it('finds a tool by meaning with a query that shares no word with it, embedding each tool once', async () => {
    expect((await found(QUERY))[0]).toBe('corp__jira_create_ticket');
    const tools = embedded().filter((t) => t.startsWith('corp'));
    expect(tools).toHaveLength(corpTools);
    expect(new Set(tools).size).toBe(corpTools);
    expect(tools.find((t) => t.startsWith('corp jira create ticket'))).toContain('ticket in Jira');
    // words still count: both rankings agree on the issue tool
    expect((await found('create a github issue'))[0]).toBe('corp__github_create_issue');
    // a second search embeds its query only
    expect(embedded().filter((t) => t.startsWith('corp'))).toHaveLength(corpTools);
    expect(embedded().filter((t) => t === 'create a github issue')).toHaveLength(1);
    expect(stub.requests.every((r) => r.headers['authorization'] === `Bearer ${KEY}`)).toBe(true);
  });

  it('falls back to words when the endpoint fails, says so once without the key, and recovers', async () => {
    stub.failNext(100, 503);
    // by words alone nothing relates the query to the Jira tool
    expect(await found(QUERY)).not.toContain('corp__jira_create_ticket');
    expect((await found('jira ticket create'))[0]).toBe('corp__jira_create_ticket');
    await waitFor(() => service.logs().includes('tool search: embeddings failed') || undefined);
    expect(service.logs().split('tool search: embeddings failed')).toHaveLength(2);
    expect(service.logs()).not.toContain(KEY);
    stub.failNext(0);
    expect((await found(QUERY))[0]).toBe('corp__jira_create_ticket');
  });
});
