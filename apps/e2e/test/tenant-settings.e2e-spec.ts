import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Tasks } from '@switchboard/contracts';
import {
  collectSse,
  readTree,
  repoRoot,
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  tempDir,
  waitForTaskLog,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const PLATFORM_KEY = `plat-${randomBytes(12).toString('hex')}`;
const ACME_KEY = `acme-${randomBytes(12).toString('hex')}`;
const GLOBEX_KEY = `globex-${randomBytes(12).toString('hex')}`;

/** A weather API that answers any key and (carelessly) echoes it back; it records who called. */
async function startWeatherApi() {
  const calls: { key: string; location: string }[] = [];
  const server: Server = createServer((req, res) => {
    const location = new URL(req.url ?? '/', 'http://stub').searchParams.get('location') ?? '';
    const key = String(req.headers['x-api-key']);
    calls.push({ key, location });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ location, temperatureC: 18, conditions: `clear (for ${key})` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/current`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

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

/**
 * Per-tenant settings (docs/tenancy.md, "Per-tenant settings") on the stack `npm run up` runs (NATS
 * identities, TENANCY=true): one tenants file read by the orchestrator, mcp-tools and a2a, and a
 * folder of tenants' own credentials read by mcp-tools.
 * - acme: its own weather key (a `<tenant>.env` file); only the writer agent; the keyword "merger"
 *   blocked besides the platform's keyword;
 * - globex: its own key as a mounted Secret's folder; the math, clock and weather tools only;
 * - initech: may not use the platform's credentials and has none of its own;
 * - the default tenant: the platform's key.
 */
describe('per-tenant tools, agents, credentials and guardrails (real processes, NATS identities)', () => {
  let stack: Stack;
  let weather: Awaited<ReturnType<typeof startWeatherApi>>;
  const agents: ServiceHandle[] = [];
  const clients: McpClient[] = [];
  const stamp = randomUUID().slice(0, 8);
  const acme = `acme-${stamp}`;
  const globex = `globex-${stamp}`;
  const initech = `initech-${stamp}`;
  const annA: Who = { user: 'ann', tenant: acme };
  const adminA: Who = { user: 'alan', tenant: acme, role: 'admin' };
  const annG: Who = { user: 'ann', tenant: globex };
  const annI: Who = { user: 'ann', tenant: initech };
  const annD: Who = { user: 'ann', tenant: 'default' };

  beforeAll(async () => {
    weather = await startWeatherApi();
    for (const kind of ['researcher', 'writer']) {
      agents.push(
        await startService(
          `agent-${kind}`,
          { NODE_OPTIONS: '--import tsx', AGENT_KIND: kind, AGENT_NAME: kind },
          { entry: join(repoRoot, 'examples/a2a-agents/src/main.ts') },
        ),
      );
    }
    const dir = tempDir('tenant-settings');
    const tenantsFile = join(dir, 'tenants.yaml');
    writeFileSync(
      tenantsFile,
      [
        'tenants:',
        `  ${acme}:`,
        '    agents: [writer]',
        '    guardrails: { disallowedKeywords: [merger] }',
        `  ${globex}:`,
        '    tools: { providers: [math, clock, weather] }',
        `  ${initech}:`,
        '    credentials: { platform: false }',
      ].join('\n'),
    );
    const credentials = join(dir, 'tenant-credentials');
    mkdirSync(join(credentials, globex), { recursive: true });
    writeFileSync(join(credentials, `${acme}.env`), `WEATHER_API_KEY=${ACME_KEY}\n`);
    // a Kubernetes Secret mounted as a volume: a file per key, and its `..data` link folder
    writeFileSync(join(credentials, globex, 'WEATHER_API_KEY'), `${GLOBEX_KEY}\n`);
    mkdirSync(join(credentials, globex, '..data'));
    stack = await startStack({
      shape: 'cell',
      services: ['mcp-tools', 'audit', 'orchestrator', 'a2a', 'gateway'],
      natsIdentities: true,
      env: {
        gateway: { TENANCY: 'true' },
        orchestrator: { TENANTS_FILE: tenantsFile, DISALLOWED_KEYWORDS: 'sabotage' },
        'mcp-tools': {
          TENANTS_FILE: tenantsFile,
          TENANT_CREDENTIALS_DIR: credentials,
          WEATHER_API_URL: weather.url,
          WEATHER_API_KEY: PLATFORM_KEY,
        },
        a2a: {
          TENANTS_FILE: tenantsFile,
          A2A_AGENTS: `researcher=${agents[0]!.url},writer=${agents[1]!.url}`,
        },
      },
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    await Promise.allSettled(agents.map((a) => a.stop()));
    await weather?.close();
    expect(refused).toEqual([]);
  });

  const call = (method: string, path: string, who: Who, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headersOf(who) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  async function run(who: Who, task: string) {
    const res = await call('POST', '/orchestrate/stream', who, { task });
    expect(res.status).toBe(200);
    const raw = await collectSse(res);
    const events = raw.map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
    return {
      taskId: res.headers.get('x-task-id')!,
      events,
      last: events.at(-1)!,
      lastSeq: Number(raw.at(-1)!.id),
    };
  }

  const toolNames = async (who: Who) => {
    const res = await call('GET', '/tools', who);
    expect(res.status).toBe(200);
    return ((await res.json()) as { tools: { name: string }[] }).tools.map((t) => t.name).sort();
  };

  async function mcpClient(who: Who): Promise<McpClient> {
    const transport = new StreamableHTTPClientTransport(new URL(`${stack.gatewayUrl}/mcp`), {
      requestInit: { headers: headersOf(who) },
    });
    const client = new McpClient({ name: 'e2e-tenant-settings', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  it("calls the weather API with each tenant's own key, the platform's for the rest, and none for a tenant that may not share it", async () => {
    const acmeRun = await run(annA, 'what is the weather in Paris');
    const globexRun = await run(annG, 'what is the weather in Oslo');
    const defaultRun = await run(annD, 'what is the weather in Rome');
    for (const r of [acmeRun, globexRun, defaultRun])
      expect({ name: r.last.name, error: (r.last.data as { error?: unknown }).error }).toEqual({
        name: 'orchestrator.task.completed',
        error: undefined,
      });
    expect(weather.calls).toEqual(
      expect.arrayContaining([
        { key: ACME_KEY, location: 'Paris' },
        { key: GLOBEX_KEY, location: 'Oslo' },
        { key: PLATFORM_KEY, location: 'Rome' },
      ]),
    );
    // what the API echoed is scrubbed for each tenant
    const completed = acmeRun.events.find((e) => e.name === 'mcp.task.completed');
    expect(completed?.data).toMatchObject({ output: { conditions: 'clear (for [redacted])' } });

    // initech has no key and may not use the platform's: not offered, and refused by name
    expect(await toolNames(annI)).not.toContain('weather.current');
    const before = weather.calls.length;
    const refused = await run(annI, 'call weather.current with {"location": "Berlin"}');
    expect(refused.last).toMatchObject({
      name: 'orchestrator.task.failed',
      data: { error: { code: 'UNSUPPORTED', message: expect.stringContaining('WEATHER_API_KEY') } },
    });
    expect(weather.calls.length).toBe(before);
    const mcp = await mcpClient(annI);
    await expect(
      mcp.callTool({ name: 'weather.current', arguments: { location: 'Bonn' } }),
    ).rejects.toThrow(
      'weather.current is not configured on this platform: it needs WEATHER_API_KEY',
    );
    expect(weather.calls.length).toBe(before);
  }, 120_000);

  it('offers a tenant only the tools its settings enable, on every surface, and refuses the rest by name', async () => {
    expect(await toolNames(annG)).toEqual(['calculator', 'time.now', 'weather.current']);
    expect(await toolNames(annA)).toEqual(
      expect.arrayContaining(['calculator', 'notes.add', 'weather.current']),
    );
    const mcp = await mcpClient(annG);
    // …and the endpoint's own tool that runs a whole task (docs/mcp.md): the tenant may submit tasks.
    expect((await mcp.listTools()).tools.map((t) => t.name).sort()).toEqual([
      'calculator',
      'switchboard.run_task',
      'time.now',
      'weather.current',
    ]);
    // a tool the caller may not use is a protocol error of the call (docs/mcp.md), naming why
    await expect(mcp.callTool({ name: 'notes.add', arguments: { content: 'x' } })).rejects.toThrow(
      `tool notes.add is not enabled for tenant ${globex}`,
    );

    const forced = await run(annG, 'call notes.add with {"content": "globex note"}');
    expect(forced.last).toMatchObject({
      name: 'orchestrator.task.failed',
      data: { error: { code: 'FORBIDDEN' } },
    });
    const notes = await stack.dbs.tools.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM "Note" WHERE "tenantId" = $1`,
      [globex],
    );
    expect(notes[0]?.n).toBe('0');
    // the demo task of a tenant that has every tool still runs
    const demo = await run(annA, 'what is 17 * 23, then save the result as a note');
    expect(demo.last.name).toBe('orchestrator.task.completed');
  }, 120_000);

  it('lets a tenant delegate only to the agents its settings enable, its admins too', async () => {
    const agentNames = async (who: Who) => {
      const res = await call('GET', '/agents', who);
      expect(res.status).toBe(200);
      return ((await res.json()) as { agents: { name: string }[] }).agents.map((a) => a.name);
    };
    expect(await agentNames(annA)).toEqual(['writer']);
    expect(await agentNames(adminA)).toEqual(['writer']);
    expect((await agentNames(annG)).sort()).toEqual(['researcher', 'writer']);

    const refused = await run(annA, 'ask the researcher about NATS JetStream');
    expect(refused.last).toMatchObject({
      name: 'orchestrator.task.failed',
      data: { error: { message: expect.stringContaining('known agents: writer') } },
    });
    expect(refused.events.some((e) => e.name.startsWith('a2a.delegation'))).toBe(false);
    const allowed = await run(annA, 'have the writer draft a haiku about queues');
    expect(allowed.last.name).toBe('orchestrator.task.completed');
    const other = await run(annG, 'ask the researcher about NATS JetStream');
    expect(other.last.name).toBe('orchestrator.task.completed');
  }, 120_000);

  it("blocks a tenant's own guardrail keyword for its tasks only, and the platform's for everyone", async () => {
    const blocked = await run(annA, 'summarise the merger announcement');
    expect(blocked.last).toMatchObject({
      name: 'orchestrator.task.failed',
      data: { error: { code: 'GUARDRAIL' } },
    });
    expect(blocked.events.some((e) => e.name === 'orchestrator.guardrail.violation')).toBe(true);
    // globex has no such rule: the same words are an ordinary (unplannable) task there
    const elsewhere = await run(annG, 'summarise the merger announcement');
    expect(elsewhere.last).toMatchObject({ name: 'orchestrator.task.failed' });
    expect(elsewhere.last.data).not.toMatchObject({ error: { code: 'GUARDRAIL' } });
    expect(elsewhere.events.some((e) => e.name === 'orchestrator.guardrail.violation')).toBe(false);
    const platform = await run(annG, 'plan some sabotage');
    expect(platform.last).toMatchObject({ data: { error: { code: 'GUARDRAIL' } } });
  }, 60_000);

  it("never shows a tenant's credential outside mcp-tools: events, rows, audit, task logs, logs", async () => {
    const { taskId, events, lastSeq } = await run(annA, 'what is the weather in Lyon');
    await waitForTaskLog(stack.taskLogDir, taskId, lastSeq, { tenantId: acme });
    const stored = [
      JSON.stringify(events),
      JSON.stringify(
        await stack.dbs.orchestrator.query('SELECT row_to_json(s)::text AS row FROM "Step" s'),
      ),
      JSON.stringify(
        await stack.dbs.orchestrator.query(
          'SELECT row_to_json(r)::text AS row FROM "PlanningRound" r',
        ),
      ),
      JSON.stringify(
        await stack.dbs.tools.query('SELECT row_to_json(c)::text AS row FROM "ToolCall" c'),
      ),
      JSON.stringify(
        await stack.dbs.audit.query('SELECT row_to_json(a)::text AS row FROM "AuditEntry" a'),
      ),
      ...Object.values(readTree(stack.taskLogDir)),
      ...readdirSync(stack.logDir).map((f) => readFileSync(join(stack.logDir, f), 'utf8')),
    ].join('\n');
    expect(stored).toContain('weather.current');
    for (const key of [ACME_KEY, GLOBEX_KEY, PLATFORM_KEY]) expect(stored).not.toContain(key);
  }, 60_000);
});
