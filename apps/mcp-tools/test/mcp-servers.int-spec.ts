import { type Actor, Tasks, Tools } from '@switchboard/contracts';
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
import type { Msg } from '@nats-io/transport-node';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  type ExampleHttpMcpServer,
  failure,
  STDIO_EXAMPLE,
  startExampleHttpMcpServer,
  writeToolsFile,
} from './support.js';

const STDIO_TOKEN = `stdio-${randomBytes(12).toString('hex')}`;
const HTTP_TOKEN = `http-${randomBytes(12).toString('hex')}`;

const redisPrefix = testRedisPrefix('tools-mcp');

// External MCP servers as real processes: the example server over stdio (configured in the tools file,
// keyed by name as MCP clients write it) and over Streamable HTTP (configured in MCP_SERVERS), each
// given a credential the platform injects (environment / Authorization header).
describe('external MCP servers (real stdio and Streamable HTTP servers)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let remote: ExampleHttpMcpServer;
  let service: ServiceHandle;
  let client: BusClient;
  const user: Actor = { userId: `mcp-user-${randomUUID()}`, role: 'user' };
  const analyst: Actor = { userId: `mcp-analyst-${randomUUID()}`, role: 'analyst' };
  const admin: Actor = { userId: 'mcp-admin', role: 'admin' };

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_mcp', 'mcp-tools');
    remote = await startExampleHttpMcpServer({ DEMO_TOKEN: HTTP_TOKEN });
    const toolsFile = writeToolsFile(
      'tools.yaml',
      `
mcpServers:
  demo:
    command: ${JSON.stringify(STDIO_EXAMPLE.command)}
    args: ${JSON.stringify(STDIO_EXAMPLE.args)}
    env: { DEMO_TOKEN: "{{DEMO_STDIO_TOKEN}}" }
    tools:
      add: { requiredRole: analyst }
      slow: { timeoutMs: 300 }
      whoami: { adminOnly: true }
`,
    );
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      TOOLS_FILE: toolsFile,
      MCP_SERVERS: JSON.stringify([
        {
          name: 'remote',
          url: remote.url,
          headers: { Authorization: 'Bearer {{REMOTE_MCP_TOKEN}}' },
          requiresAuthorization: true,
          exclude: ['enable_extra', 'disable_extra', 'extra'],
        },
      ]),
      DEMO_STDIO_TOKEN: STDIO_TOKEN,
      REMOTE_MCP_TOKEN: HTTP_TOKEN,
      // The last test stops the HTTP server and starts it again: reconnection attempts every 50 ms to
      // 500 ms (not 0.5 s doubling to 30 s) see it back within a second of its start, not after
      // whatever wait the backoff had grown to meanwhile. The same reconnect path, in less time.
      MCP_RECONNECT_INITIAL_MS: '50',
      MCP_RECONNECT_MAX_DELAY_MS: '500',
    });
    client = await createBusClient(nats.url, 'orchestrator');
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await remote?.process.stop();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  const names = async (actor: Actor, constraints?: Tasks.ToolConstraints) =>
    (
      await client.bus.request(Tools.ToolsManifest, constraints ? { constraints } : {}, { actor })
    ).tools.map((t) => t.name);
  const call = (
    actor: Actor,
    tool: string,
    input: Record<string, unknown> = {},
    extra: Partial<Tools.ToolCallRequest> = {},
  ) => client.bus.request(Tools.ToolsCall, { tool, input, ...extra }, { actor });

  it("offers each server's tools under its provider, with access from our configuration", async () => {
    const offered = await names(user);
    expect(offered).toEqual(
      expect.arrayContaining([
        'demo__echo',
        'demo__shout',
        'demo__fail',
        'demo__slow',
        'demo__enable_extra',
      ]),
    );
    // Role and admin-only settings of the tools file; `remote` needs an authorization first.
    expect(offered).not.toContain('demo__add');
    expect(offered).not.toContain('demo__whoami');
    expect(offered.filter((n) => n.startsWith('remote__'))).toEqual([]);
    expect(await names(analyst)).toContain('demo__add');
    const manifest = await client.bus.request(Tools.ToolsManifest, {}, { actor: user });
    expect(manifest.tools.find((t) => t.name === 'demo__echo')).toMatchObject({
      provider: 'demo',
      title: 'Echo',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
      outputSchema: { type: 'object', properties: { text: { type: 'string' } } },
    });
  });

  it('calls them and maps their results and errors', async () => {
    const echo = await call(user, 'demo__echo', { text: 'hello' });
    expect(echo).toMatchObject({
      tool: 'demo__echo',
      output: { text: 'hello' },
      content: [{ type: 'text', text: 'hello' }],
    });
    expect((await call(user, 'demo__shout', { text: 'hi' })).output).toEqual({ text: 'HI' });
    expect((await call(analyst, 'demo__add', { a: 2, b: 3 })).output).toEqual({ sum: 5 });
    const failed = await failure(call(user, 'demo__fail'));
    expect(failed.code).toBe('UPSTREAM_ERROR');
    expect(failed.message).toBe('demo__fail failed: the demo tool failed on purpose');
    // Arguments are checked against the server's schema before the server sees them.
    const invalid = await failure(call(user, 'demo__echo', { text: 7 }));
    expect(invalid.code).toBe('VALIDATION');
    expect(invalid.message).toContain('text');
    expect((await failure(call(user, 'demo__add', { a: 1, b: 1 }))).code).toBe('FORBIDDEN');
  });

  it('refuses tools of a provider that needs authorization until it is granted, and under custom constraints', async () => {
    const refused = await failure(call(user, 'remote__echo', { text: 'x' }));
    expect(refused.code).toBe('FORBIDDEN');
    await client.bus.request(
      Tools.AuthorizationGrant,
      { userId: user.userId, provider: 'remote' },
      { actor: admin },
    );
    expect(await names(user)).toEqual(expect.arrayContaining(['remote__echo', 'remote__slow']));
    expect(await names(user)).not.toContain('remote__enable_extra');
    expect((await call(user, 'remote__echo', { text: 'over http' })).output).toEqual({
      text: 'over http',
    });
    const constrained = await failure(
      call(
        user,
        'remote__echo',
        { text: 'x' },
        { constraints: { mode: 'custom', providers: ['demo'] } },
      ),
    );
    expect(constrained.code).toBe('FORBIDDEN');
    expect(await names(user, { mode: 'custom', providers: ['demo'] })).not.toContain(
      'remote__echo',
    );
  });

  it('injects credentials into the connection and scrubs them from results and logs', async () => {
    const stdio = await call(admin, 'demo__whoami');
    expect(stdio.output).toEqual({ hasToken: true, token: '[redacted]' });
    await client.bus.request(
      Tools.AuthorizationGrant,
      { userId: admin.userId, provider: 'remote' },
      { actor: admin },
    );
    const http = await call(admin, 'remote__whoami');
    expect(http.output).toEqual({ hasToken: true, token: '[redacted]' });
    expect(JSON.stringify([stdio, http])).not.toMatch(new RegExp(`${STDIO_TOKEN}|${HTTP_TOKEN}`));
    // The child printed its token on stderr; the service logged that line scrubbed.
    await waitFor(() => service.logs().includes('whoami: token is [redacted]'), {
      what: 'the scrubbed stderr line',
    });
    expect(service.logs()).not.toContain(STDIO_TOKEN);
    expect(service.logs()).not.toContain(HTTP_TOKEN);
  });

  it('re-lists on list_changed: new tools appear (manifests invalidated) and vanish again', async () => {
    const changes: unknown[] = [];
    const sub = client.bus.connection.subscribe(Tools.ToolsChanged.pattern, {
      callback: (_e: unknown, m: Msg) => {
        changes.push((m.json() as { data: unknown }).data);
      },
    });
    try {
      expect(await names(user)).not.toContain('demo__extra');
      await call(user, 'demo__enable_extra');
      await waitFor(async () => (await names(user)).includes('demo__extra'), {
        what: 'demo__extra in the manifest',
      });
      expect((await call(user, 'demo__extra')).output).toEqual({ extra: true });
      expect(changes).toContainEqual(expect.objectContaining({ reason: 'registry' }));
      await call(user, 'demo__disable_extra');
      await waitFor(async () => !(await names(user)).includes('demo__extra'), {
        what: 'demo__extra gone',
      });
      expect((await failure(call(user, 'demo__extra'))).code).toBe('NOT_FOUND');
    } finally {
      sub.unsubscribe();
    }
  });

  it('bounds calls by the tool timeout', async () => {
    const e = await failure(call(user, 'demo__slow', { ms: 60_000 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toBe('tool demo__slow timed out after 300 ms');
  });

  it('aborts a running call when its task is cancelled, and tells the MCP server', async () => {
    const taskId = randomUUID();
    // As the orchestrator does: the task's calls may use what its manifest offered.
    await client.bus.request(Tools.ToolsManifest, { taskId }, { actor: user });
    const before = await remote.stats();
    const running = failure(call(user, 'remote__slow', { ms: 60_000 }, { taskId }));
    await waitFor(async () => (await remote.stats()).calls > before.calls, {
      what: 'the slow call to reach the server',
    });
    client.bus.publish(Tasks.TaskCancelRequested, [taskId], {
      taskId,
      reason: 'user pressed stop',
    });
    const e = await running;
    expect(e.code).toBe('CANCELLED');
    expect(e.message).toBe('tool remote__slow was cancelled with its task: user pressed stop');
    await waitFor(async () => (await remote.stats()).cancelled > before.cancelled, {
      what: 'the server to see notifications/cancelled',
    });
    // A call of the cancelled task that arrives afterwards is refused at once.
    expect((await failure(call(user, 'remote__echo', { text: 'late' }, { taskId }))).code).toBe(
      'CANCELLED',
    );
  });

  it('reports the servers in admin diagnostics, without secrets', async () => {
    const debug = await call(admin, 'admin.debug');
    const output = debug.output as {
      mcpServers: { name: string; state: string; tools: number }[];
      credentials: { name: string; configured: boolean }[];
    };
    expect(output.mcpServers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'demo',
          transport: 'stdio',
          state: 'connected',
          server: 'switchboard-demo-stdio 1.0.0',
          // 1.x servers: the v2 client's server/discover probe failed, the handshake settled it.
          revision: '2025-11-25',
        }),
        expect.objectContaining({
          name: 'remote',
          transport: 'http',
          state: 'connected',
          revision: '2025-11-25',
        }),
      ]),
    );
    expect(output.credentials).toEqual(
      expect.arrayContaining([
        {
          name: 'DEMO_STDIO_TOKEN',
          configured: true,
          usedBy: expect.arrayContaining(['demo__echo']),
        },
        {
          name: 'REMOTE_MCP_TOKEN',
          configured: true,
          usedBy: expect.arrayContaining(['remote__echo']),
        },
      ]),
    );
    expect(JSON.stringify(debug)).not.toMatch(new RegExp(`${STDIO_TOKEN}|${HTTP_TOKEN}`));
    expect((await failure(call(user, 'admin.debug'))).code).toBe('FORBIDDEN');
  });

  it('withdraws the tools of a server that goes away, and offers them again when it is back', async () => {
    await remote.process.stop();
    // The next call finds the server gone; its tools are withdrawn while it reconnects.
    expect((await failure(call(user, 'remote__echo', { text: 'x' }))).code).toBe(
      'UPSTREAM_UNAVAILABLE',
    );
    await waitFor(async () => !(await names(user)).some((n) => n.startsWith('remote__')), {
      what: 'remote tools withdrawn',
    });
    remote = await startExampleHttpMcpServer({
      DEMO_TOKEN: HTTP_TOKEN,
      PORT: new URL(remote.url).port,
    });
    await waitFor(async () => (await names(user)).includes('remote__echo'), {
      what: 'remote tools back',
      timeoutMs: 30_000,
    });
    expect((await call(user, 'remote__echo', { text: 'back' })).output).toEqual({ text: 'back' });
  });
});
