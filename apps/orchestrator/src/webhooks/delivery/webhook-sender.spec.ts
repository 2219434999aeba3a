import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookSender } from './webhook-sender.js';

const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };

/** A real HTTP server on 127.0.0.1 with one route per behaviour (the receiver end of the wire). */
describe('WebhookSender (against a real HTTP server)', () => {
  let server: Server;
  let port = 0;
  const hits: Record<string, number> = {};
  const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
  const routes: Record<string, (res: ServerResponse) => void> = {
    '/ok': (res) => res.writeHead(204).end(),
    '/fail': (res) => res.writeHead(503).end('busy\u0000 right now'),
    '/moved': (res) => res.writeHead(302, { location: '/elsewhere' }).end(),
    '/elsewhere': (res) => res.writeHead(200).end(),
    '/slow': () => undefined, // never answers
    '/big': (res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (res.write(chunk)) if (res.destroyed) return;
        res.once('drain', pump);
      };
      pump();
    },
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      hits[path] = (hits[path] ?? 0) + 1;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        routes[path]?.(res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const sender = (timeoutMs = 2_000, maxBytes = 1_024) =>
    new WebhookSender({ WEBHOOK_TIMEOUT_MS: timeoutMs, WEBHOOK_RESPONSE_MAX_BYTES: maxBytes });
  /** A target whose host does not resolve: the connection must go to the address given. */
  const target = (path: string) => ({
    url: new URL(`http://receiver.invalid:${port}${path}`),
    addresses: [{ address: '127.0.0.1', family: 4 as const }],
  });

  it('posts the body with the signature headers to exactly the checked address, and takes 2xx', async () => {
    const r = await sender().send(target('/ok'), headers, '{"type":"x"}');
    expect(r).toEqual({ ok: true, status: 204, message: 'HTTP 204' });
    const last = seen.at(-1)!;
    expect(last.body).toBe('{"type":"x"}');
    expect(last.headers).toMatchObject({
      ...headers,
      'content-type': 'application/json',
      host: `receiver.invalid:${port}`,
    });
    expect(last.headers['authorization']).toBeUndefined();
    expect(last.headers['cookie']).toBeUndefined();
  });

  it('fails on another status, keeping a short, clean snippet of the answer', async () => {
    expect(await sender().send(target('/fail'), headers, '{}')).toEqual({
      ok: false,
      status: 503,
      reason: 'http_status',
      message: 'HTTP 503: busy  right now',
    });
  });

  it('does not follow a redirect', async () => {
    const before = hits['/elsewhere'] ?? 0;
    expect(await sender().send(target('/moved'), headers, '{}')).toMatchObject({
      ok: false,
      status: 302,
      reason: 'redirect',
    });
    expect(hits['/elsewhere'] ?? 0).toBe(before);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    expect(await sender(300).send(target('/slow'), headers, '{}')).toEqual({
      ok: false,
      reason: 'timeout',
      message: 'no answer within 300 ms',
    });
  });

  it('reads no more of an answer than allowed: the status decides, the rest is never read', async () => {
    // A receiver streaming without end: only the first bytes are read, then the connection is closed.
    expect(await sender(5_000, 1_000).send(target('/big'), headers, '{}')).toEqual({
      ok: true,
      status: 200,
      message: 'HTTP 200',
    });
  });

  it('reports a refused connection as a network failure', async () => {
    const closed = { ...target('/ok'), url: new URL('http://receiver.invalid:1/ok') };
    expect(await sender().send(closed, headers, '{}')).toMatchObject({
      ok: false,
      reason: 'network',
      message: expect.stringMatching(/^ECONNREFUSED/),
    });
  });
});
