import { type Actor, Tools } from '@switchboard/contracts';
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
import { randomBytes, randomUUID } from 'node:crypto';
import {
  auditRecords,
  ensureStreams,
  failure,
  startStub,
  type StubServer,
  writeToolsFile,
} from './support.js';

const SECRET = `wk-${randomBytes(16).toString('hex')}`;

const redisPrefix = testRedisPrefix('tools-weather');

// The built-in weather tool against a real stub weather API, with its key from a mounted secrets file:
// injected into each request, and found nowhere else — results, errors, logs, audit records.
describe('the weather tool (real process, stub weather API)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let weather: StubServer;
  let service: ServiceHandle;
  let client: BusClient;
  const user: Actor = { userId: `weather-${randomUUID()}`, role: 'user' };
  const admin: Actor = { userId: 'weather-admin', role: 'admin' };

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_weather', 'mcp-tools');
    weather = await startStub((url, req) => {
      if (req.headers['x-api-key'] !== SECRET) return { status: 401, body: { error: 'bad key' } };
      const location = url.searchParams.get('location') ?? '';
      // A careless API that echoes the key back, in a success and in an error.
      if (location === 'Leaky')
        return {
          status: 200,
          body: { location, temperatureC: 1, conditions: `clear (key ${SECRET})` },
        };
      if (location === 'Broken') return { status: 500, body: `internal error for key ${SECRET}` };
      if (location === 'Odd') return { status: 200, body: { location, temperature: 'warm' } };
      return {
        status: 200,
        body: { location, temperatureC: 18.5, conditions: 'partly cloudy', humidity: 60 },
      };
    });
    client = await createBusClient(nats.url, 'orchestrator');
    await ensureStreams(client);
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      WEATHER_API_URL: `${weather.url}/current`,
      CREDENTIALS_FILE: writeToolsFile(
        'secrets.env',
        `# mounted secret\nWEATHER_API_KEY=${SECRET}\n`,
      ),
      LOG_LEVEL: 'debug',
    });
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await weather?.close();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  const call = (actor: Actor, input: Record<string, unknown>, tool = 'weather.current') =>
    client.bus.request(Tools.ToolsCall, { tool, input }, { actor });

  it('is offered as weather.current and calls the API with the injected key', async () => {
    const manifest = await client.bus.request(Tools.ToolsManifest, {}, { actor: user });
    expect(manifest.tools.find((t) => t.name === 'weather.current')).toMatchObject({
      provider: 'weather',
      inputSchema: { required: ['location'] },
    });
    expect(manifest.unconfigured).toBeUndefined();
    const catalogue = await client.bus.request(Tools.ToolsCatalogue, {});
    expect(catalogue.tools).toContainEqual({
      name: 'weather.current',
      provider: 'weather',
      configured: true,
    });
    const result = await call(user, { location: 'Paris' });
    expect(result.output).toEqual({
      location: 'Paris',
      temperatureC: 18.5,
      conditions: 'partly cloudy',
      humidity: 60,
    });
    const request = weather.requests.at(-1)!;
    expect(request.url).toBe('/current?location=Paris');
    expect(request.headers['x-api-key']).toBe(SECRET);
  });

  it('scrubs the key from results and error messages, and validates both ends', async () => {
    const leaky = await call(user, { location: 'Leaky' });
    expect(leaky.output).toMatchObject({ conditions: 'clear (key [redacted])' });
    const broken = await failure(call(user, { location: 'Broken' }));
    expect(broken.code).toBe('UPSTREAM_ERROR');
    expect(broken.message).toMatch(
      /^weather\.current: 127\.0\.0\.1:\d+ answered HTTP 500: internal error for key \[redacted\]$/,
    );
    const odd = await failure(call(user, { location: 'Odd' }));
    expect(odd.code).toBe('UPSTREAM_ERROR');
    expect(odd.message).toContain('invalid output of weather.current');
    const missing = await failure(call(user, {}));
    expect(missing.code).toBe('VALIDATION');
    expect(missing.message).toContain('location');
  });

  it('shows the key as configured (by name only) in admin diagnostics', async () => {
    const debug = await call(admin, {}, 'admin.debug');
    expect((debug.output as { credentials: unknown[] }).credentials).toContainEqual({
      name: 'WEATHER_API_KEY',
      configured: true,
      usedBy: ['weather.current'],
    });
    expect(JSON.stringify(debug)).not.toContain(SECRET);
  });

  it('never lets the key into logs or audit records', async () => {
    const records = await waitFor(async () => {
      const all = (await auditRecords(client)).filter((r) => r.resource === 'weather.current');
      return all.length >= 5 ? all : undefined;
    });
    expect(records.map((r) => r.outcome).sort()).toEqual([
      'failure',
      'failure',
      'failure',
      'success',
      'success',
    ]);
    expect(JSON.stringify(await auditRecords(client))).not.toContain(SECRET);
    expect(service.logs()).toContain('weather.current');
    expect(service.logs()).not.toContain(SECRET);
  });
});

// The same tool with its API set but not its key: registered, offered to nobody, and refused by name
// with what it needs — never blamed on the caller's role or constraints.
describe('the weather tool without WEATHER_API_KEY (real process)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let weather: StubServer;
  let service: ServiceHandle;
  let client: BusClient;
  const user: Actor = { userId: `keyless-${randomUUID()}`, role: 'user' };
  const admin: Actor = { userId: 'keyless-admin', role: 'admin' };
  const REASON =
    'weather.current is not configured on this platform: it needs WEATHER_API_KEY (docs/tools.md)';
  const keylessPrefix = testRedisPrefix('tools-weather-keyless');

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_weather_keyless', 'mcp-tools');
    weather = await startStub(() => ({
      status: 200,
      body: { location: 'x', temperatureC: 1, conditions: 'clear' },
    }));
    client = await createBusClient(nats.url, 'orchestrator');
    await ensureStreams(client);
    // WEATHER_API_KEY set to nothing: an empty variable is no credential (and a developer's own
    // WEATHER_API_KEY in the test's environment does not leak in).
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: keylessPrefix,
      WEATHER_API_URL: `${weather.url}/current`,
      WEATHER_API_KEY: '',
    });
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await weather?.close();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(keylessPrefix);
  });

  it('is not offered, and the manifest says what it needs', async () => {
    const manifest = await client.bus.request(Tools.ToolsManifest, {}, { actor: user });
    expect(manifest.tools.map((t) => t.name)).toContain('calculator');
    expect(manifest.tools.map((t) => t.name)).not.toContain('weather.current');
    expect(manifest.unconfigured).toEqual([
      {
        name: 'weather.current',
        title: 'Current weather',
        provider: 'weather',
        needs: ['WEATHER_API_KEY'],
        reason: REASON,
      },
    ]);
    const catalogue = await client.bus.request(Tools.ToolsCatalogue, {});
    expect(catalogue.tools).toContainEqual({
      name: 'weather.current',
      provider: 'weather',
      configured: false,
      needs: ['WEATHER_API_KEY'],
      reason: REASON,
    });
  });

  it('refuses a call by name with the setting it needs, before the API is called', async () => {
    const refused = await failure(
      client.bus.request(
        Tools.ToolsCall,
        { tool: 'weather.current', input: { location: 'Paris' } },
        { actor: user },
      ),
    );
    expect(refused).toMatchObject({
      code: 'UNSUPPORTED',
      message: REASON,
      details: { tool: 'weather.current', needs: ['WEATHER_API_KEY'], refusal: 'not-configured' },
    });
    // Constraints that exclude it still say so first: nobody learns what a tool they may not use needs.
    const excluded = await failure(
      client.bus.request(
        Tools.ToolsCall,
        {
          tool: 'weather.current',
          input: { location: 'Paris' },
          constraints: { mode: 'custom', tools: ['calculator'] },
        },
        { actor: user },
      ),
    );
    expect(excluded).toMatchObject({ code: 'FORBIDDEN', details: { refusal: 'not-permitted' } });
    expect(weather.requests).toEqual([]);
  });

  it('is listed as unconfigured in admin diagnostics', async () => {
    const debug = await client.bus.request(
      Tools.ToolsCall,
      { tool: 'admin.debug', input: {} },
      { actor: admin },
    );
    const output = debug.output as {
      registry: { unconfigured: unknown[] };
      credentials: unknown[];
    };
    expect(output.registry.unconfigured).toEqual([
      { tool: 'weather.current', needs: ['WEATHER_API_KEY'] },
    ]);
    expect(output.credentials).toContainEqual({
      name: 'WEATHER_API_KEY',
      configured: false,
      usedBy: ['weather.current'],
    });
  });
});
