import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startStack, type Stack } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

/** Someone acting in a tenant (dev auth with TENANCY=true). */
interface Who {
  user: string;
  tenant: string;
  role?: string;
}
const headersOf = (who: Who): Record<string, string> => ({
  'x-user-id': who.user,
  'x-user-role': who.role ?? 'user',
  'x-tenant-id': who.tenant,
});

/** What both official clients have in common for resources, and for the tool call that writes. */
interface ResourceClient {
  listResources(): Promise<{ resources: { uri: string }[] }>;
  listResourceTemplates(): Promise<{ resourceTemplates: { uriTemplate: string }[] }>;
  readResource(p: { uri: string }): Promise<{ contents: unknown[] }>;
  callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

const TEMPLATE = 'switchboard://memory/{kind}/{key}';

/**
 * Long-term memory as MCP resources on the gateway's /mcp (docs/mcp.md, "Memory as resources"), with
 * both official clients — `@modelcontextprotocol/client` 2.x speaking 2026-07-28 and
 * `@modelcontextprotocol/sdk` 1.x speaking 2025-11-25 — against real processes (NATS with
 * per-service identities, mcp-tools, PostgreSQL): the template, reading your own namespace, another
 * user of the tenant refused, another tenant's caller reading nothing of it.
 */
describe('memory as MCP resources (official clients, both revisions, real processes)', () => {
  let stack: Stack;
  const clients: ResourceClient[] = [];
  const stamp = randomUUID().slice(0, 8);
  const ann: Who = { user: 'ann', tenant: `acme-${stamp}` };
  const bob: Who = { user: 'bob', tenant: `acme-${stamp}` };
  // The same user id in another tenant, and that tenant's admin: someone else.
  const annG: Who = { user: 'ann', tenant: `globex-${stamp}` };
  const adminG: Who = { user: 'gina', tenant: `globex-${stamp}`, role: 'admin' };

  beforeAll(async () => {
    stack = await startStack({
      shape: 'cell',
      services: ['mcp-tools', 'audit', 'orchestrator', 'gateway'],
      natsIdentities: true,
      env: { gateway: { TENANCY: 'true' } },
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    expect(refused).toEqual([]);
  });

  const url = () => new URL(`${stack.gatewayUrl}/mcp`);

  async function connect(who: Who, revision: '2026-07-28' | '2025-11-25'): Promise<ResourceClient> {
    const requestInit = { headers: headersOf(who) };
    let client: ResourceClient;
    if (revision === '2026-07-28') {
      const modern = new Client(
        { name: 'e2e-memory', version: '2.0.0' },
        { versionNegotiation: { mode: { pin: revision } } },
      );
      await modern.connect(new StreamableHTTPClientTransport(url(), { requestInit }));
      client = modern as unknown as ResourceClient;
    } else {
      const legacy = new LegacyClient({ name: 'e2e-memory-1x', version: '1.0.0' });
      await legacy.connect(new LegacyTransport(url(), { requestInit }));
      expect(legacy.getServerCapabilities()?.resources).toEqual({});
      client = legacy as unknown as ResourceClient;
    }
    clients.push(client);
    return client;
  }

  const itemsOf = async (client: ResourceClient, uri: string) => {
    const { contents } = await client.readResource({ uri });
    expect(contents).toEqual([{ uri, mimeType: 'application/json', text: expect.any(String) }]);
    const [content] = contents as { text: string }[];
    return (JSON.parse(content!.text) as { items: { content: string }[] }).items;
  };

  const failureOf = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as { code?: number; message?: string },
    );

  it.each(['2026-07-28', '2025-11-25'] as const)(
    'over %s: reads your own namespace; another user of the tenant is refused; another tenant reads none of it',
    async (revision) => {
      const mine = await connect(ann, revision);
      const fact = `my favourite colour is teal (${revision})`;
      await mine.callTool({ name: 'memory.remember', arguments: { content: fact } });

      expect((await mine.listResourceTemplates()).resourceTemplates).toEqual([
        expect.objectContaining({ uriTemplate: TEMPLATE, mimeType: 'application/json' }),
      ]);
      const own = 'switchboard://memory/user/ann';
      expect((await mine.listResources()).resources.map((r) => r.uri)).toEqual([own]);
      expect((await itemsOf(mine, own)).map((i) => i.content)).toContain(fact);

      // Another user of the tenant: refused by mcp-tools, as GET /memory refuses it (403 there).
      const theirs = await connect(bob, revision);
      const refused = await failureOf(theirs.readResource({ uri: own }));
      expect(refused).toMatchObject({
        code: -32602,
        message: expect.stringContaining('FORBIDDEN: you may not read memory namespace user:ann'),
      });

      // Another tenant — the same user id, that tenant's admin: their tenant's namespace, empty.
      for (const other of [annG, adminG]) {
        const elsewhere = await connect(other, revision);
        expect(await itemsOf(elsewhere, own)).toEqual([]);
      }

      // Not a memory namespace: refused naming the part, nothing asked of mcp-tools.
      const bad = await failureOf(mine.readResource({ uri: 'switchboard://memory/planet/x' }));
      expect(bad).toMatchObject({ code: -32602, message: expect.stringContaining('uri: kind') });
    },
  );
});
