import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Tools } from '@switchboard/contracts';
import { natsConnectionOptions } from '@switchboard/messaging';
import { type Stack, startService, startStack, tempDir } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Envelope {
  code: string;
  message: string;
  details?: { issues?: { path: string; message: string }[] } & Record<string, unknown>;
}

/** How long a restarted service may take to be ready (the machine may be busy with other tests). */
const RESTART_WITHIN_MS = 120_000;

const UNKNOWN = { mode: 'custom', providers: ['nope'], tools: ['calculatr'] };
const WEATHER_REASON =
  'weather.current is not configured on this platform: it needs WEATHER_API_URL, WEATHER_API_KEY (docs/tools.md)';

/** A tools file adding `math.extra` (the calculator under another name and provider). */
function extraToolsFile(): string {
  const path = join(tempDir('extra-tools'), 'tools.yaml');
  writeFileSync(
    path,
    `tools:
  - name: math.extra
    description: The calculator under another name.
    provider: extra
    inputSchema: { type: object, properties: { expression: { type: string } }, required: [expression] }
    handler: { kind: builtin, ref: calculator }
`,
  );
  return path;
}

// Constraints that name no real tool or provider, or a tool that is not configured, are refused by the
// gateway with a 400 naming each before any task exists, on every surface that takes constraints; the
// weather tool of the default stack (no WEATHER_API_URL, no key) is offered to nobody.
describe('tool constraints against the tools that exist (real gateway, orchestrator, mcp-tools, audit)', () => {
  let stack: Stack;
  let nc: NatsConnection;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        gateway: { RATE_LIMIT_PER_MINUTE: '0' },
        // The default stack: no weather API, no key (empty values are unset, whatever the shell has).
        'mcp-tools': { WEATHER_API_URL: '', WEATHER_API_KEY: '' },
      },
    });
    // As the read-only operator, which may watch every subject (the stack's NATS enforces identities).
    nc = await connect(
      natsConnectionOptions('constraints-test', stack.natsSettings('operator'), 'operator'),
    );
  }, 180_000);

  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
  });

  /** `stack.restart`, with room for a slow start on a loaded machine (same port, same log). */
  const restart = async (name: string, overrides: Record<string, string> = {}) => {
    const old = stack.services[name];
    if (!old) throw new Error(`${name} is not part of the stack`);
    await old.stop();
    stack.services[name] = await startService(
      name,
      { ...stack.envOf(name), ...overrides, PORT: String(old.port) },
      { logDir: stack.logDir, readyTimeoutMs: RESTART_WITHIN_MS },
    );
  };
  const as = (user: string) => ({ 'x-user-id': user, 'x-user-role': 'user' });
  const send = (user: string, path: string, body?: unknown, method = 'POST') =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: {
        ...as(user),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        accept: 'application/json, text/event-stream',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const refusal = async (r: Response): Promise<Envelope> => {
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    return (await r.json()) as Envelope;
  };
  const tasksOf = async (user: string) => {
    const r = await send(user, '/tasks', undefined, 'GET');
    expect(r.status).toBe(200);
    return ((await r.json()) as { tasks: { taskId: string }[] }).tasks.map((t) => t.taskId);
  };
  const aguiRun = (constraints: unknown) => ({
    threadId: `t-${randomUUID()}`,
    runId: `r-${randomUUID()}`,
    messages: [{ id: 'm1', role: 'user', content: 'what is 2 + 2' }],
    tools: [],
    context: [],
    state: {},
    forwardedProps: { tool_constraints: constraints },
  });

  it('refuses unknown providers and tools on every surface, naming each, and creates no task', async () => {
    const user = `unknown-${randomUUID().slice(0, 8)}`;
    const body = { task: 'what is 2 + 2', tool_constraints: UNKNOWN };
    const issues = [
      { path: 'tool_constraints.providers.0', message: 'no provider "nope"' },
      { path: 'tool_constraints.tools.0', message: 'no tool "calculatr"' },
    ];
    for (const path of ['/orchestrate', '/orchestrate?async=true', '/orchestrate/stream']) {
      expect(await refusal(await send(user, path, body))).toMatchObject({
        code: 'VALIDATION',
        message:
          'invalid request body: tool_constraints.providers.0: no provider "nope"; tool_constraints.tools.0: no tool "calculatr"',
        details: { issues },
      });
    }
    expect(await refusal(await send(user, '/ag-ui', aguiRun(UNKNOWN)))).toMatchObject({
      code: 'VALIDATION',
      details: {
        issues: [
          { path: 'forwardedProps.tool_constraints.providers.0', message: 'no provider "nope"' },
          { path: 'forwardedProps.tool_constraints.tools.0', message: 'no tool "calculatr"' },
        ],
      },
    });
    const queryIssues = [
      { path: 'providers.0', message: 'no provider "nope"' },
      { path: 'tools.0', message: 'no tool "calculatr"' },
    ];
    expect(
      await refusal(await send(user, '/tools?providers=nope&tools=calculatr', undefined, 'GET')),
    ).toMatchObject({ code: 'VALIDATION', details: { issues: queryIssues } });
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'test', version: '1' },
      },
    };
    expect(
      await refusal(await send(user, '/mcp?providers=nope&tools=calculatr', initialize)),
    ).toMatchObject({ code: 'VALIDATION', details: { issues: queryIssues } });

    // Real names pass, and the one task they start is the only task of this user.
    const ok = await send(user, '/orchestrate', {
      task: 'what is 2 + 2',
      tool_constraints: { mode: 'custom', providers: ['math'], tools: ['calculator'] },
    });
    expect(ok.status).toBe(200);
    const { task_id } = (await ok.json()) as { task_id: string };
    expect(await tasksOf(user)).toEqual([task_id]);
  });

  it(
    'asks mcp-tools for the catalogue only for constraints, and only once for many',
    async () => {
      // A fresh gateway: no copy of the catalogue yet.
      await restart('gateway');
      let asked = 0;
      const watch = nc.subscribe(Tools.ToolsCatalogue.subject, {
        callback: () => {
          asked++;
        },
      });
      await nc.flush();
      const user = `lean-${randomUUID().slice(0, 8)}`;
      try {
        expect((await send(user, '/orchestrate', { task: 'what is 3 + 3' })).status).toBe(200);
        expect((await send(user, '/tools', undefined, 'GET')).status).toBe(200);
        // Whatever the gateway sent before the answers, this connection has seen after a round trip.
        await nc.flush();
        expect(asked).toBe(0);
        const constrained = { mode: 'custom', tools: ['calculator'] };
        for (const n of [4, 5]) {
          const r = await send(user, '/orchestrate', {
            task: `what is ${n} + ${n}`,
            tool_constraints: constrained,
          });
          expect(r.status).toBe(200);
        }
        expect((await send(user, '/tools?tools=calculator', undefined, 'GET')).status).toBe(200);
        await nc.flush();
        expect(asked).toBe(1);
      } finally {
        watch.unsubscribe();
      }
    },
    3 * RESTART_WITHIN_MS,
  );

  it('offers the weather tool to nobody without its settings, and says what it needs when named', async () => {
    const user = `weather-${randomUUID().slice(0, 8)}`;
    const tools = await send(user, '/tools', undefined, 'GET');
    expect(tools.status).toBe(200);
    const manifest = (await tools.json()) as Tools.Manifest;
    expect(manifest.tools.map((t) => t.name)).not.toContain('weather.current');
    expect(manifest.unconfigured).toEqual([
      {
        name: 'weather.current',
        title: 'Current weather',
        provider: 'weather',
        needs: ['WEATHER_API_URL', 'WEATHER_API_KEY'],
        reason: WEATHER_REASON,
      },
    ]);

    // Named in constraints: refused before a task exists.
    expect(
      await refusal(
        await send(user, '/orchestrate', {
          task: 'what is the weather in Paris',
          tool_constraints: { mode: 'custom', tools: ['weather.current'] },
        }),
      ),
    ).toMatchObject({
      code: 'VALIDATION',
      details: { issues: [{ path: 'tool_constraints.tools.0', message: WEATHER_REASON }] },
    });
    expect(await tasksOf(user)).toEqual([]);

    // Called by name in a task: the task fails with what the tool needs, not with the caller's role.
    const forced = await send(user, '/orchestrate', {
      task: 'call weather.current with {"location": "Paris"}',
    });
    expect(forced.status).toBe(422);
    expect(await forced.json()).toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining(WEATHER_REASON),
    });
  });

  it(
    'accepts a tool registered after the gateway took its copy',
    async () => {
      const user = `later-${randomUUID().slice(0, 8)}`;
      expect(
        await refusal(await send(user, '/tools?tools=math.extra', undefined, 'GET')),
      ).toMatchObject({
        details: { issues: [{ path: 'tools.0', message: 'no tool "math.extra"' }] },
      });
      // The last test: mcp-tools keeps this tools file to the end (no restart to put it back).
      await restart('mcp-tools', { TOOLS_FILE: extraToolsFile() });
      const r = await send(user, '/tools?tools=math.extra', undefined, 'GET');
      expect(r.status).toBe(200);
      expect(((await r.json()) as Tools.Manifest).tools.map((t) => t.name)).toEqual(['math.extra']);
    },
    3 * RESTART_WITHIN_MS,
  );
});
