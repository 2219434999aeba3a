import {
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { request as httpRequest } from 'node:http';

/** An HTTP request with headers fetch does not let a caller set (Host). */
function send(
  gw: ServiceHandle,
  opts: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: gw.port,
        method: opts.method,
        path: opts.path,
        headers: opts.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'edge-test', version: '1.0.0' },
  },
});

/** An MCP initialize as a browser page on `origin` would send it to a gateway it reached as `host`. */
const initialize = (gw: ServiceHandle, host: string, origin?: string, user = 'alice') =>
  send(gw, {
    method: 'POST',
    path: '/mcp',
    headers: {
      host,
      ...(origin ? { origin } : {}),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'x-user-id': user,
      'x-user-role': 'admin',
    },
    body: INITIALIZE,
  });

// The gateway's HTTP edge against requests that lie about where they come from or what they carry.
// `plain`: the defaults (no trusted proxy, loopback MCP hosts). `proxied`: behind a proxy on loopback,
// serving api.example.com and a web app's origin.
describe('the gateway HTTP edge (real processes)', () => {
  let stack: Stack;
  let plain: ServiceHandle;
  let proxied: ServiceHandle;

  beforeAll(async () => {
    stack = await startStack({ services: [] });
    const env = { ...stack.envOf('gateway'), AUTH_MODE: 'dev' };
    [plain, proxied] = await Promise.all([
      startService('gateway', env, { logDir: stack.logDir }),
      startService(
        'gateway',
        {
          ...env,
          TRUST_PROXY: 'loopback',
          MCP_ALLOWED_HOSTS: '127.0.0.1,api.example.com',
          MCP_ALLOWED_ORIGINS: 'https://app.example.com',
        },
        { logDir: stack.logDir },
      ),
    ]);
  });

  afterAll(async () => {
    await Promise.allSettled([plain?.stop(), proxied?.stop()]);
    await stack?.stop();
  });

  it('answers a 10 MB upload from Node fetch with the 413 envelope, every time', async () => {
    const body = JSON.stringify({ task: 'x'.repeat(10 * 1_048_576) });
    const answers: string[] = [];
    for (let i = 0; i < 20; i++) {
      try {
        const r = await fetch(`${plain.url}/orchestrate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user-id': 'uploader' },
          body,
        });
        const envelope = (await r.json()) as { code: string; message: string; requestId: string };
        answers.push(`${r.status} ${envelope.code} ${envelope.message}`);
      } catch (e) {
        answers.push(`${(e as Error).message}: ${String((e as { cause?: unknown }).cause)}`);
      }
    }
    expect(answers).toEqual(Array(20).fill('413 PAYLOAD_TOO_LARGE request body is too large'));
    // The connection was not kept: the next request is answered as usual.
    expect((await fetch(`${plain.url}/health`)).status).toBe(200);
  });

  it('ignores X-Forwarded-Host/-Proto without TRUST_PROXY: the agent card names the real host', async () => {
    const forwarded = { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    const card = async (gw: ServiceHandle) => {
      const r = await fetch(`${gw.url}/.well-known/agent-card.json`, { headers: forwarded });
      return ((await r.json()) as { supportedInterfaces: { url: string }[] }).supportedInterfaces[0]
        ?.url;
    };
    expect(await card(plain)).toBe(`http://127.0.0.1:${plain.port}/a2a`);
    // From a proxy it trusts (loopback here), the gateway follows them.
    expect(await card(proxied)).toBe('https://evil.example/a2a');
    // A Host that is not a plain host[:port] never shapes the URL.
    const odd = await send(plain, {
      method: 'GET',
      path: '/.well-known/agent-card.json',
      headers: { host: 'evil.example@x' },
    });
    expect(odd.body).toContain('"url":"http://localhost/a2a"');
  });

  it('refuses a DNS-rebinding page on /mcp before authentication, whatever Host and Origin agree on', async () => {
    const port = plain.port;
    const rebinding = await initialize(
      plain,
      `evil.example:${port}`,
      `http://evil.example:${port}`,
    );
    expect(rebinding.status).toBe(403);
    expect(JSON.parse(rebinding.body)).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/Host "evil\.example" .*MCP_ALLOWED_HOSTS/),
    });
    // Refused before the credentials are even looked at.
    expect((await initialize(plain, `evil.example:${port}`, undefined, 'not a user!')).status).toBe(
      403,
    );
    const foreignPage = await initialize(plain, `127.0.0.1:${port}`, 'http://evil.example');
    expect(foreignPage.status).toBe(403);
    expect(JSON.parse(foreignPage.body)).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/Origin "http:\/\/evil\.example" is not allowed/),
    });
    expect((await initialize(plain, `127.0.0.1:${port}`, 'null')).status).toBe(403);
    // The process' log reaches its file a moment after the answer: wait for the line.
    await waitFor(() => /MCP request refused: Host \\"evil.example\\"/.test(plain.logs()), {
      what: 'the refusal in the log',
    });

    // Loopback hosts and pages on them, and no Origin at all (not a browser), are served.
    for (const [host, origin] of [
      [`127.0.0.1:${port}`, undefined],
      [`localhost:${port}`, 'http://localhost:5173'],
      [`[::1]:${port}`, `http://[::1]:${port}`],
    ] as const) {
      const ok = await initialize(plain, host, origin);
      expect({ host, status: ok.status }).toEqual({ host, status: 200 });
    }
  });

  it('serves the hosts and origins of MCP_ALLOWED_HOSTS / MCP_ALLOWED_ORIGINS', async () => {
    expect((await initialize(proxied, 'api.example.com', 'https://app.example.com')).status).toBe(
      200,
    );
    expect((await initialize(proxied, 'api.example.com', 'https://api.example.com')).status).toBe(
      200,
    );
    expect((await initialize(proxied, 'api.example.com', 'https://other.example')).status).toBe(
      403,
    );
    expect((await initialize(proxied, 'localhost', undefined)).status).toBe(403);
  });
});
