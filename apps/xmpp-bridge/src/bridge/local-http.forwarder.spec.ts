import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BridgeSettings } from '../config/bridge-settings.js';
import { LocalHttpForwarder, XMPP_FROM_HEADER } from './local-http.forwarder.js';

/** A local HTTP target whose routes each show one way a response can come back. */
let server: Server;
let port = 0;
const seen: Record<string, string | string[] | undefined>[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === '/whole') return res.writeHead(200, { 'content-length': '5' }).end('hello');
    if (req.url === '/large')
      return res.writeHead(200, { 'content-length': '4096' }).end('x'.repeat(4096));
    if (req.url === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      return; // left open: only a stream can carry it
    }
    // /slow never answers
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function forwarder(target = `http://127.0.0.1:${port}`, settings: Partial<BridgeSettings> = {}) {
  return new LocalHttpForwarder({
    httpTarget: new URL(target),
    chunkBytes: 16 * 1024,
    maxBodyBytes: 1024,
    targetTimeoutMs: 2_000,
    streamIdleMs: 10_000,
    ...settings,
  } as BridgeSettings);
}

const get = (resource: string) => ({
  method: 'GET',
  resource,
  headers: [
    ['Accept', 'text/plain'],
    [XMPP_FROM_HEADER, 'forged@example'],
    ['Connection', 'keep-alive'],
  ] as [string, string][],
});

describe(LocalHttpForwarder.name, () => {
  it('answers with a body of known length whole, and tells the target who sent it (never a forged sender)', async () => {
    const sut = forwarder();
    const res = await sut.forward(get('/whole'), 'alice@example');
    sut.onApplicationShutdown();
    expect(res).toMatchObject({ status: 200 });
    expect(res.body?.toString()).toBe('hello');
    expect(seen.at(-1)?.[XMPP_FROM_HEADER.toLowerCase()]).toBe('alice@example');
  });

  it('streams an event stream as soon as its head arrives', async () => {
    const sut = forwarder();
    const sse = await sut.forward(get('/sse'), 'alice@example');
    expect(sse.stream).toBeDefined();
    expect(sse.body).toBeUndefined();
    sse.stream?.abort('test over');
    sut.onApplicationShutdown();
  });

  it('refuses a body over the limit with PAYLOAD_TOO_LARGE', async () => {
    const sut = forwarder();
    await expect(sut.forward(get('/large'), 'alice@example')).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    sut.onApplicationShutdown();
  });

  it('answers 504 for a target that does not answer in time, 502 for one that is down', async () => {
    const slow = forwarder(undefined, { targetTimeoutMs: 100 });
    expect(await slow.forward(get('/slow'), 'alice@example')).toMatchObject({ status: 504 });
    slow.onApplicationShutdown();
    const down = forwarder('http://127.0.0.1:1');
    const res = await down.forward(get('/whole'), 'alice@example');
    expect(res.status).toBe(502);
    expect(res.body?.toString()).toMatch(/unreachable \(ECONNREFUSED\)/);
    down.onApplicationShutdown();
  });
});
