import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { type Stack, startStack, tempDir, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// One tool of a provider users must be granted (a built-in under another name, from the tools file).
const TOOLS_FILE = `
providers:
  - { name: partner, requiresAuthorization: true }
tools:
  - name: partner.time
    description: The time, from a provider that needs authorization.
    provider: partner
    inputSchema: { type: object, additionalProperties: false }
    handler: { kind: builtin, ref: time.now }
`;

// The platform as an MCP server, used by the SDK's standard client over Streamable HTTP through the
// real gateway (dev auth) → NATS → mcp-tools, with the audit service recording refusals.
describe('the platform as an MCP server (standard MCP client, real processes)', () => {
  let stack: Stack;
  const clients: Client[] = [];
  const alice = `mcp-alice-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const toolsFile = join(tempDir('e2e-tools'), 'tools.yaml');
    writeFileSync(toolsFile, TOOLS_FILE);
    stack = await startStack({
      shape: 'cell',
      services: ['mcp-tools', 'audit', 'gateway'],
      env: { 'mcp-tools': { TOOLS_FILE: toolsFile } },
    });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await stack?.stop();
  });

  /** A connected standard MCP client acting as `userId` (dev auth headers); `query` narrows its tools. */
  async function connect(
    userId: string,
    role = 'user',
    query = '',
  ): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    const transport = new StreamableHTTPClientTransport(
      new URL(`${stack.gatewayUrl}/mcp${query}`),
      {
        requestInit: { headers: { 'x-user-id': userId, 'x-user-role': role } },
      },
    );
    const client = new Client({ name: 'e2e-client', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    return { client, transport };
  }

  const toolNames = async (client: Client) =>
    (await client.listTools()).tools.map((t) => t.name).sort();

  it("lists the caller's permitted tools with their schemas, and calls them", async () => {
    const { client, transport } = await connect(alice);
    expect(transport.sessionId).toEqual(expect.any(String));
    expect(client.getServerVersion()).toMatchObject({ name: 'switchboard' });
    expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: true });
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['calculator', 'notes.add', 'notes.get', 'notes.list', 'time.now']),
    );
    expect(names).not.toContain('admin.debug');
    expect(names).not.toContain('partner.time');
    expect(tools.find((t) => t.name === 'calculator')).toMatchObject({
      title: 'Calculator',
      inputSchema: {
        type: 'object',
        properties: { expression: { type: 'string' } },
        required: ['expression'],
      },
      outputSchema: { type: 'object', required: ['expression', 'result'] },
      _meta: { 'dev.switchboard/provider': 'math' },
    });

    const result = await client.callTool({
      name: 'calculator',
      arguments: { expression: '17 * 23' },
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ expression: '17 * 23', result: 391 });
    expect(result.content).toEqual([
      { type: 'text', text: JSON.stringify({ expression: '17 * 23', result: 391 }) },
    ]);

    const note = await client.callTool({ name: 'notes.add', arguments: { content: 'from MCP' } });
    const rows = await stack.dbs.tools.query<{ content: string }>(
      'SELECT content FROM "Note" WHERE "userId" = $1',
      [alice],
    );
    expect(rows).toEqual([{ content: 'from MCP' }]);
    expect(note.structuredContent).toMatchObject({ content: 'from MCP' });

    // Bad arguments are a tool error the model can read, not a protocol failure.
    const bad = await client.callTool({ name: 'calculator', arguments: { expression: 42 } });
    expect(bad.isError).toBe(true);
    expect(bad.content).toEqual([
      {
        type: 'text',
        text: expect.stringMatching(/^VALIDATION: invalid input of calculator: expression/),
      },
    ]);
  });

  it('refuses a malformed thread in _meta with -32602 naming the field, before the tool runs', async () => {
    const { client } = await connect(alice);
    const refused = await client
      .callTool({
        name: 'notes.add',
        arguments: { content: 'never stored' },
        _meta: { 'dev.switchboard/thread': { id: 'chat', policy: 'later' } },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(McpError);
    expect((refused as McpError).code).toBe(-32602);
    expect((refused as McpError).message).toContain('_meta["dev.switchboard/thread"].policy');
    const rows = await stack.dbs.tools.query('SELECT 1 FROM "Note" WHERE content = $1', [
      'never stored',
    ]);
    expect(rows).toEqual([]);
  });

  it('refuses a tool the caller may not use (and audits it); an admin may use it', async () => {
    const { client } = await connect(alice);
    const refused = await client.callTool({ name: 'admin.debug', arguments: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(McpError);
    expect((refused as McpError).code).toBe(-32602);
    expect((refused as McpError).message).toContain(
      'tool admin.debug is not available to you: tool admin.debug is admin-only',
    );
    const unknown = await client.callTool({ name: 'no.such.tool', arguments: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((unknown as McpError).message).toContain('unknown tool "no.such.tool"');

    const audit = await waitFor(async () => {
      const rows = await stack.dbs.audit.query<{
        outcome: string;
        resource: string;
        userId: string;
        role: string;
      }>(
        `SELECT outcome, resource, "userId", role FROM "AuditEntry" WHERE action = 'tool.call' AND resource = 'admin.debug'`,
      );
      return rows.length ? rows : undefined;
    });
    expect(audit).toContainEqual({
      outcome: 'denied',
      resource: 'admin.debug',
      userId: alice,
      role: 'user',
    });

    const { client: admin } = await connect(`mcp-admin-${randomUUID().slice(0, 8)}`, 'admin');
    expect(await toolNames(admin)).toContain('admin.debug');
    const debug = await admin.callTool({ name: 'admin.debug', arguments: {} });
    expect(debug.isError).toBeFalsy();
    expect(debug.structuredContent).toMatchObject({
      service: { name: 'mcp-tools' },
      registry: { tools: expect.any(Number) },
    });
  });

  it('notifies the session when an authorization changes its tools, and lists them anew', async () => {
    const bob = `mcp-bob-${randomUUID().slice(0, 8)}`;
    const { client } = await connect(bob);
    let notified = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      notified++;
    });
    expect(await toolNames(client)).not.toContain('partner.time');
    const grant = await fetch(`${stack.gatewayUrl}/authorizations/${bob}/partner`, {
      method: 'PUT',
      headers: { 'x-user-id': 'mcp-root', 'x-user-role': 'admin' },
    });
    expect(grant.status).toBe(200);
    await waitFor(() => notified > 0, { what: 'notifications/tools/list_changed' });
    expect(await toolNames(client)).toContain('partner.time');
    const time = await client.callTool({ name: 'partner.time', arguments: {} });
    expect(time.structuredContent).toMatchObject({ timezone: 'UTC' });
  });

  it('narrows a session to the providers in its URL', async () => {
    const { client } = await connect(alice, 'user', '?providers=math');
    expect(await toolNames(client)).toEqual(['calculator']);
    const refused = await client.callTool({ name: 'notes.list', arguments: {} }).then(
      () => undefined,
      (e: unknown) => e as McpError,
    );
    expect(refused?.message).toContain("not allowed by the task's tool constraints");
  });

  it('keeps sessions to their user, ends them on DELETE, and authenticates every request', async () => {
    const { transport } = await connect(alice);
    const sessionId = transport.sessionId!;
    const list = (userId: string) =>
      fetch(`${stack.gatewayUrl}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-11-25',
          'x-user-id': userId,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
    expect((await list('someone-else')).status).toBe(404);
    const own = await list(alice);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('calculator');
    expect((await list('bad user!')).status).toBe(401);

    const noSession = await fetch(`${stack.gatewayUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-user-id': alice,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(noSession.status).toBe(400);
    const foreignOrigin = await fetch(`${stack.gatewayUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        origin: 'https://evil.example',
        'x-user-id': alice,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(foreignOrigin.status).toBe(403);

    await transport.terminateSession();
    expect((await list(alice)).status).toBe(404);
  });
});
