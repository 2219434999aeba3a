import { type Actor, isDomainError } from '@switchboard/contracts';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpEndpointTool } from './http-endpoint.tool.js';

const actor: Actor = { userId: 'u', role: 'user' };
const KEY = 'k3y-abcdef';

describe('http_endpoint tools', () => {
  let server: Server;
  let base: string;
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] =
    [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (path === '/fail')
          return res
            .writeHead(502, { 'content-type': 'text/plain' })
            .end(`upstream rejected key ${KEY}`);
        if (path === '/redirect')
          return res.writeHead(302, { location: 'http://elsewhere.example/' }).end();
        if (path === '/text')
          return res.writeHead(200, { 'content-type': 'text/plain' }).end('plain');
        if (path === '/big')
          return res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ x: 'y'.repeat(5_000) }));
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const tool = (path: string, handler: Record<string, unknown> = {}) =>
    new HttpEndpointTool(
      {
        name: 't',
        title: 't',
        description: 't',
        provider: 'p',
        inputSchema: { type: 'object' },
        handler: { kind: 'http_endpoint', url: `${base}${path}`, ...handler },
        requiredCredentials: ['API_KEY'],
      },
      { maxResponseBytes: 1_000 },
    );
  const run = (t: HttpEndpointTool, input: Record<string, unknown>) =>
    t.run(input, { actor, credentials: { API_KEY: KEY }, signal: new AbortController().signal });
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (isDomainError(e)) return e;
      throw e;
    }
    throw new Error('expected a failure');
  };

  it('sends GET input as query parameters and credentials where the templates say', async () => {
    await expect(
      run(tool('/q', { method: 'GET', query: { key: '{{API_KEY}}' } }), {
        location: 'Paris',
        tags: ['a', 'b'],
      }),
    ).resolves.toEqual({ ok: true });
    const req = seen.at(-1)!;
    expect(req.method).toBe('GET');
    expect(new URL(req.url, base).searchParams.getAll('tags')).toEqual(['a', 'b']);
    expect(new URL(req.url, base).searchParams.get('key')).toBe(KEY);
  });

  it('sends POST input as JSON with templated headers', async () => {
    await run(tool('/p', { method: 'POST', headers: { Authorization: 'Bearer {{API_KEY}}' } }), {
      a: 1,
    });
    const req = seen.at(-1)!;
    expect(req.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({ a: 1 });
  });

  it('reports HTTP errors with the status and host, never the credential', async () => {
    const e = await failure(
      run(tool('/fail', { method: 'GET', query: { key: '{{API_KEY}}' } }), {}),
    );
    expect(e.code).toBe('UPSTREAM_ERROR');
    expect(e.message).toMatch(
      /^t: 127\.0\.0\.1:\d+ answered HTTP 502: upstream rejected key \[redacted\]$/,
    );
    expect(e.retryable).toBe(true);
  });

  it('does not follow redirects, bounds the response size, and wraps plain text', async () => {
    expect((await failure(run(tool('/redirect', { method: 'GET' }), {}))).message).toMatch(
      /answered a redirect \(HTTP 302\), which is not followed/,
    );
    expect((await failure(run(tool('/big', { method: 'GET' }), {}))).code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    await expect(run(tool('/text', { method: 'GET' }), {})).resolves.toEqual({ text: 'plain' });
  });

  it('says which host it cannot reach', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const t = new HttpEndpointTool(
      {
        name: 'down',
        title: 'd',
        description: 'd',
        provider: 'p',
        inputSchema: { type: 'object' },
        handler: { kind: 'http_endpoint', url: `http://127.0.0.1:${port}/x` },
      },
      { maxResponseBytes: 1_000 },
    );
    const e = await failure(
      t.run({}, { actor, credentials: {}, signal: new AbortController().signal }),
    );
    expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(e.message).toBe(`down: cannot reach 127.0.0.1:${port} (ECONNREFUSED)`);
  });
});
