import { Tasks } from '@switchboard/contracts';
import {
  collectSse,
  readSse,
  readTree,
  type Stack,
  startStack,
  tempDir,
  waitFor,
  waitForTaskLog,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const SECRET = `wk-${randomBytes(16).toString('hex')}`;

/** A stub weather API: checks the key, echoes it back carelessly, and holds "Slow" until aborted. */
async function startWeatherApi(): Promise<{
  url: string;
  keys: string[];
  locations: string[];
  aborted: string[];
  close(): Promise<void>;
}> {
  const keys: string[] = [];
  const locations: string[] = [];
  const aborted: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const location = url.searchParams.get('location') ?? '';
    keys.push(String(req.headers['x-api-key']));
    locations.push(location);
    if (req.headers['x-api-key'] !== SECRET) return void res.writeHead(401).end();
    if (location === 'Slow') {
      // Never answers: the call ends only when the platform aborts it.
      res.on('close', () => aborted.push(location));
      return;
    }
    if (location === 'Broken')
      return void res
        .writeHead(503, { 'content-type': 'text/plain' })
        .end(`overloaded; your key ${SECRET} is rate limited`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ location, temperatureC: 21, conditions: `sunny (served to ${SECRET})` }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/current`,
    keys,
    locations,
    aborted,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A second, non-idempotent tool on the same API with the same key: its calls are stored in mcp-tools'
 * ToolCall table (idempotency records, with their output), which must not hold the key either.
 */
const reportTool = (url: string) => {
  const path = `${tempDir('tools-file')}/tools.yaml`;
  writeFileSync(
    path,
    `tools:
  - name: weather.report
    description: Files a weather report (not idempotent).
    provider: weather
    inputSchema: { type: object, properties: { location: { type: string } }, required: [location] }
    handler: { kind: http_endpoint, url: "${url}", method: POST, headers: { x-api-key: "{{WEATHER_API_KEY}}" } }
    requiredCredentials: [WEATHER_API_KEY]
`,
  );
  return path;
};

// A task that calls the weather tool through the whole stack. The API key is injected by mcp-tools and
// must appear nowhere else: not in the streamed task events, the stored steps and planning rounds,
// mcp-tools' idempotency records, the audit rows, the per-task log files, or any service's log — also
// when the API echoes it back in a result or an error.
describe('tool credentials stay inside mcp-tools (real processes, stub weather API)', () => {
  let stack: Stack;
  let weather: Awaited<ReturnType<typeof startWeatherApi>>;

  beforeAll(async () => {
    weather = await startWeatherApi();
    stack = await startStack({
      shape: 'cell',
      env: {
        'mcp-tools': {
          WEATHER_API_URL: weather.url,
          WEATHER_API_KEY: SECRET,
          TOOLS_FILE: reportTool(weather.url),
          LOG_LEVEL: 'debug',
        },
      },
      common: { LOG_LEVEL: 'debug' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await weather?.close();
  });

  const stream = async (task: string, user: string) => {
    const response = await fetch(`${stack.gatewayUrl}/orchestrate/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user },
      body: JSON.stringify({ task }),
    });
    expect(response.status).toBe(200);
    return { taskId: response.headers.get('x-task-id')!, response };
  };

  it('a task asks for the weather: the key reaches the API and nothing else', async () => {
    const user = `weather-${randomUUID().slice(0, 8)}`;
    const { taskId, response } = await stream('what is the weather in Paris', user);
    const events = await collectSse(response);
    const parsed = events.map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
    const toolbox = parsed.find((e) => e.name === 'mcp.toolbox.generated');
    expect(toolbox?.data).toMatchObject({
      tools: expect.arrayContaining([{ name: 'weather.current', provider: 'weather' }]),
    });
    const completed = parsed.find((e) => e.name === 'mcp.task.completed');
    expect(completed?.data).toMatchObject({
      tool: 'weather.current',
      output: { location: 'Paris', temperatureC: 21, conditions: 'sunny (served to [redacted])' },
    });
    expect(parsed.at(-1)?.name).toBe('orchestrator.task.completed');
    expect(weather.keys).toContain(SECRET);

    // A failing call whose error echoes the key.
    const failed = await stream('what is the weather in Broken', user);
    const failedEvents = await collectSse(failed.response);
    const toolFailure = failedEvents
      .map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)))
      .find((e) => e.name === 'mcp.task.failed');
    expect(toolFailure?.data).toMatchObject({
      tool: 'weather.current',
      error: { code: 'UPSTREAM_ERROR', message: expect.stringContaining('[redacted]') },
    });

    // A non-idempotent call (explicit, through the built-in planner): it leaves an idempotency record.
    const report = await stream('call weather.report with {"location": "Paris"}', user);
    const reportEvents = await collectSse(report.response);
    expect(reportEvents.map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data))).at(-1)).toMatchObject(
      { name: 'orchestrator.task.completed' },
    );

    const streamed = JSON.stringify([events, failedEvents, reportEvents]);
    expect(streamed).toContain('[redacted]');
    expect(streamed).not.toContain(SECRET);

    // The durable event log (replayed by the gateway), the stored steps and the audit rows.
    const replay = await (
      await fetch(`${stack.gatewayUrl}/tasks/${taskId}/events`, { headers: { 'x-user-id': user } })
    ).text();
    expect(replay).toContain('weather.current');
    expect(replay).not.toContain(SECRET);
    const steps = await stack.dbs.orchestrator.query(
      'SELECT row_to_json(s)::text AS row FROM "Step" s',
    );
    expect(JSON.stringify(steps)).toContain('weather.current');
    expect(JSON.stringify(steps)).not.toContain(SECRET);
    const tasks = await stack.dbs.orchestrator.query(
      'SELECT row_to_json(t)::text AS row FROM "Task" t',
    );
    expect(JSON.stringify(tasks)).not.toContain(SECRET);
    const rounds = await stack.dbs.orchestrator.query(
      'SELECT row_to_json(r)::text AS row FROM "PlanningRound" r',
    );
    expect(JSON.stringify(rounds)).toContain('weather.current');
    expect(JSON.stringify(rounds)).not.toContain(SECRET);
    // mcp-tools' idempotency records keep outputs: scrubbed like everything else.
    const toolCalls = await stack.dbs.tools.query<{ row: string }>(
      'SELECT row_to_json(c)::text AS row FROM "ToolCall" c',
    );
    expect(toolCalls.map((c) => c.row).join('\n')).toContain('served to [redacted]');
    expect(JSON.stringify(toolCalls)).not.toContain(SECRET);
    const audit = await waitFor(async () => {
      const rows = await stack.dbs.audit.query<{ row: string }>(
        `SELECT row_to_json(a)::text AS row FROM "AuditEntry" a WHERE "taskId" IN ($1, $2)`,
        [taskId, failed.taskId],
      );
      return rows.filter((r) => r.row.includes('"tool.call"')).length >= 2 ? rows : undefined;
    });
    expect(JSON.stringify(audit)).toContain('weather.current');
    const allAudit = await stack.dbs.audit.query(
      'SELECT row_to_json(a)::text AS row FROM "AuditEntry" a',
    );
    expect(JSON.stringify(allAudit)).not.toContain(SECRET);

    // The per-task log files the audit service wrote (main files, step folders, raw events).
    for (const t of [
      { id: taskId, events },
      { id: failed.taskId, events: failedEvents },
      { id: report.taskId, events: reportEvents },
    ]) {
      await waitForTaskLog(stack.taskLogDir, t.id, Number(t.events.at(-1)!.id));
    }
    const taskLogs = Object.entries(readTree(stack.taskLogDir));
    expect(taskLogs.filter(([path]) => path.endsWith('main.jsonl')).length).toBeGreaterThan(3);
    expect(taskLogs.map(([, text]) => text).join('\n')).toContain('weather.current');
    for (const [path, text] of taskLogs) {
      expect({ path, found: text.includes(SECRET) }).toEqual({ path, found: false });
    }

    // Every line every service logged (the cell's one log: each line names its service).
    const logs = readdirSync(stack.logDir).map((f) => readFileSync(join(stack.logDir, f), 'utf8'));
    for (const service of Object.keys(stack.services))
      expect({ service, logged: logs.join('\n').includes(`"service":"${service}"`) }).toEqual({
        service,
        logged: true,
      });
    expect(logs.join('\n')).toContain('weather.current');
    for (const log of logs) expect(log).not.toContain(SECRET);
  });

  it('cancelling the task aborts its running tool call, down to the HTTP request', async () => {
    const user = `weather-cancel-${randomUUID().slice(0, 8)}`;
    const { taskId, response } = await stream('what is the weather in Slow', user);
    const events: string[] = [];
    const reading = (async () => {
      for await (const e of readSse(response)) events.push(e.event ?? '');
    })();
    await waitFor(() => weather.locations.includes('Slow'), {
      what: 'the weather call to reach the API',
    });
    expect(weather.aborted).toEqual([]);
    const cancel = await fetch(`${stack.gatewayUrl}/tasks/${taskId}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user },
      body: JSON.stringify({ reason: 'changed my mind' }),
    });
    expect(cancel.status).toBeLessThan(300);
    await reading;
    expect(events.at(-1)).toBe('orchestrator.task.cancelled');
    await waitFor(() => weather.aborted.includes('Slow'), {
      what: 'the weather request to be aborted',
    });
  });
});
