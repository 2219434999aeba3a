import { DomainError, Xmpp } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { createLogger, Metrics } from '@switchboard/observability';
import { A2aMetrics } from '../delegation/a2a.metrics.js';
import { createServer } from 'node:net';
import { AgentHttp } from './agent-http.service.js';
import { A2aEnv } from '../config/a2a.env.js';

const logger = createLogger({ service: 'a2a', instance: 'test', level: 'silent', pretty: false });
const metrics = new A2aMetrics(new Metrics('a2a', 'test'));
const config = A2aEnv.parse({ SERVICE_MAP: 'researcher.agents.example=researcher@agents.example' });

function withBus(reply: (req: Xmpp.HttpOverXmppRequest) => Promise<Xmpp.HttpOverXmppResponse>) {
  const seen: Xmpp.HttpOverXmppRequest[] = [];
  const bus = {
    request: async (contract: unknown, payload: Xmpp.HttpOverXmppRequest) => {
      expect(contract).toBe(Xmpp.HttpRequest);
      seen.push(payload);
      return reply(payload);
    },
  } as unknown as NatsBus;
  return { http: new AgentHttp(bus, config, logger, metrics), seen };
}

/** A loopback port nothing listens on. */
function freePortOnLoopback(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

describe(AgentHttp.name, () => {
  it('sends a mapped host through the bridge and rebuilds the response', async () => {
    const { http, seen } = withBus(async () => ({
      status: 200,
      headers: [
        ['content-type', 'application/json'],
        ['content-length', '999'],
      ],
      body: { encoding: 'text', data: '{"ok":true}' },
      via: 'researcher@agents.example/bridge',
    }));
    expect(http.transportOf('http://researcher.agents.example/a2a')).toBe('xmpp');
    const response = await http.fetch('http://researcher.agents.example/a2a', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0' },
      body: '{"jsonrpc":"2.0"}',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.get('content-length')).toBeNull();
    expect(seen).toEqual([
      {
        method: 'POST',
        url: 'http://researcher.agents.example/a2a',
        headers: expect.arrayContaining([
          ['content-type', 'application/json'],
          ['a2a-version', '1.0'],
        ]),
        body: { encoding: 'text', data: '{"jsonrpc":"2.0"}' },
      },
    ]);
  });

  it('turns transient answers and bridge outages into retryable errors, and the rest into final ones', async () => {
    const unavailable = withBus(async () => ({ status: 503, headers: [], via: 'x' }));
    await expect(
      unavailable.http.fetch('http://researcher.agents.example/a2a'),
    ).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    const down = withBus(async () => {
      throw new DomainError('UPSTREAM_UNAVAILABLE', 'the bridge is disconnected', {
        retryable: true,
      });
    });
    await expect(down.http.fetch('http://researcher.agents.example/a2a')).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
    const unmapped = withBus(async () => {
      throw new DomainError('NOT_FOUND', 'no JID for this host');
    });
    await expect(unmapped.http.fetch('http://researcher.agents.example/a2a')).rejects.toMatchObject(
      { code: 'NOT_FOUND', retryable: false },
    );
  });

  it('calls other hosts directly; a refused connection is transient', async () => {
    const { http, seen } = withBus(async () => {
      throw new Error('must not be used');
    });
    const port = await freePortOnLoopback();
    expect(http.transportOf(`http://127.0.0.1:${port}/`)).toBe('http');
    await expect(http.fetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(seen).toEqual([]);
  });
});
