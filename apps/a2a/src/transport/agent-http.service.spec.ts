import { DomainError, Xmpp } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { createLogger, Metrics } from '@switchboard/observability';
import { A2aMetrics } from '../delegation/a2a.metrics.js';
import { createServer } from 'node:net';
import { AgentHttp } from './agent-http.service.js';
import { A2aEnv } from '../config/a2a.env.js';

const logger = createLogger({ service: 'a2a', instance: 'test', level: 'silent', pretty: false });
const metrics = new A2aMetrics(new Metrics('a2a', 'test'));
const configWith = (agents: string) =>
  A2aEnv.parse({
    SERVICE_MAP: 'researcher.agents.example=researcher@agents.example',
    A2A_AGENTS: agents,
  });

function withBus(
  reply: (req: Xmpp.HttpOverXmppRequest) => Promise<Xmpp.HttpOverXmppResponse>,
  config = configWith('researcher=http://researcher.agents.example'),
) {
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
    const port = await freePortOnLoopback();
    const { http, seen } = withBus(
      async () => {
        throw new Error('must not be used');
      },
      configWith(`local=http://127.0.0.1:${port}`),
    );
    expect(http.transportOf(`http://127.0.0.1:${port}/`)).toBe('http');
    await expect(http.fetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(seen).toEqual([]);
  });

  it('refuses any origin that is not a configured agent, before a byte leaves (bridge or HTTP)', async () => {
    const { http, seen } = withBus(async () => {
      throw new Error('must not be used');
    });
    for (const url of [
      'http://127.0.0.1:4101/a2a',
      'http://169.254.169.254/latest/meta-data',
      'https://researcher.agents.example/a2a',
      'http://writer.agents.example/a2a',
    ]) {
      await expect(http.fetch(url, { method: 'POST', body: '{}' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        retryable: false,
        message: expect.stringContaining('not the origin of an agent in A2A_AGENTS'),
      });
    }
    expect(seen).toEqual([]);
  });

  describe('streamed responses (the SDK asks for text/event-stream)', () => {
    /** A bus whose requestStream yields the parts the test pushes, one `next()` at a time. */
    function streamingBus() {
      const pushed: Xmpp.HttpStreamPart[] = [];
      let wake: (() => void) | undefined;
      const calls: { payload: Xmpp.HttpOverXmppStreamRequest; returned: boolean }[] = [];
      const bus = {
        requestStream: (
          contract: unknown,
          payload: Xmpp.HttpOverXmppStreamRequest,
          opts: { cancel?: unknown; signal: AbortSignal },
        ) => {
          expect(contract).toBe(Xmpp.HttpStream);
          expect(opts.cancel).toBe(Xmpp.HttpStreamCancel);
          const call = { payload, returned: false };
          calls.push(call);
          const { signal } = opts;
          return (async function* () {
            try {
              for (;;) {
                while (pushed.length === 0) {
                  if (signal.aborted) throw signal.reason;
                  await new Promise<void>((r) => {
                    wake = r;
                    signal.addEventListener('abort', () => r(), { once: true });
                  });
                }
                const part = pushed.shift()!;
                if (part.kind === 'end') return;
                if (part.kind === 'error') throw DomainError.fromBody(part.error);
                yield part;
              }
            } finally {
              call.returned = true;
            }
          })();
        },
      } as unknown as NatsBus;
      const push = (part: Xmpp.HttpStreamPart) => {
        pushed.push(part);
        wake?.();
      };
      return {
        http: new AgentHttp(
          bus,
          configWith('researcher=http://researcher.agents.example'),
          logger,
          metrics,
        ),
        push,
        calls,
      };
    }
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const sse = { method: 'POST', headers: { accept: 'text/event-stream' }, body: '{}' };

    it('answers once the head is in and hands each body part to the reader as it arrives', async () => {
      const { http, push, calls } = streamingBus();
      push({
        kind: 'head',
        seq: 0,
        status: 200,
        headers: [['content-type', 'text/event-stream']],
        via: 'r@x/1',
      });
      const response = await http.fetch('http://researcher.agents.example/a2a', sse);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(calls[0]?.payload).toMatchObject({
        method: 'POST',
        url: 'http://researcher.agents.example/a2a',
        idleTimeoutMs: expect.any(Number),
      });
      const reader = response.body!.getReader();
      const read = reader.read();
      push({ kind: 'body', seq: 1, data: b64('data: one\n\n') });
      expect(Buffer.from((await read).value!).toString()).toBe('data: one\n\n');
      push({ kind: 'body', seq: 2, data: b64('data: two\n\n') });
      expect(Buffer.from((await reader.read()).value!).toString()).toBe('data: two\n\n');
      push({ kind: 'end', seq: 3 });
      expect((await reader.read()).done).toBe(true);
    });

    it('cancels the stream when the reader stops, and fails the body typed when the bridge does', async () => {
      const one = streamingBus();
      one.push({ kind: 'head', seq: 0, status: 200, headers: [], via: 'r@x/1' });
      const response = await one.http.fetch('http://researcher.agents.example/a2a', sse);
      await response.body!.cancel();
      expect(one.calls[0]?.returned).toBe(true);

      const two = streamingBus();
      two.push({ kind: 'head', seq: 0, status: 200, headers: [], via: 'r@x/1' });
      const broken = await two.http.fetch('http://researcher.agents.example/a2a', sse);
      two.push({
        kind: 'error',
        seq: 1,
        error: { code: 'TIMEOUT', message: 'silent', retryable: true },
      });
      await expect(broken.text()).rejects.toMatchObject({
        code: 'TIMEOUT',
        retryable: true,
        details: { transport: 'xmpp' },
      });

      const three = streamingBus();
      three.push({
        kind: 'error',
        seq: 0,
        error: { code: 'UPSTREAM_UNAVAILABLE', message: 'peer offline', retryable: true },
      });
      await expect(
        three.http.fetch('http://researcher.agents.example/a2a', sse),
      ).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    });
  });
});
