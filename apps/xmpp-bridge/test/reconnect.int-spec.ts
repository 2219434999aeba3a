import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DomainError, Xmpp } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  type PrivateNats,
  type PrivateProsody,
  type ServiceHandle,
  startPrivateNats,
  startPrivateProsody,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { xml } from '@xmpp/xml';
import { rmSync } from 'node:fs';
import {
  type HttpTarget,
  startBridge,
  startHttpTarget,
  startStackNats,
  type StackNats,
  xmppEnv,
} from './support/bridge.harness.js';
import { connectTestClient, type TestXmppClient } from './support/xmpp-test.client.js';
import { responseElement } from '../src/xmpp/http-over-xmpp.translator.js';
import { chunkMessage } from '../src/xmpp/http-over-xmpp.stream-frames.js';

// Prosody is stopped under running bridges and started again on the same ports and data: requests in
// flight are rejected at once, requests during the outage fail fast and typed, and the bridges log in
// again on their own (backoff with jitter) so that later requests succeed.
const DOMAIN = 'agents.switchboard.local';

describe('the bridge across an XMPP server restart (real Prosody, NATS and bridge processes)', () => {
  const dir = tempDir('prosody-restart');
  const accounts = [
    { user: 'platform', host: DOMAIN, password: 'platform-pw' },
    { user: 'agent', host: DOMAIN, password: 'agent-pw' },
  ];
  let xmpp: PrivateProsody;
  let nats: PrivateNats;
  let target: HttpTarget;
  let agent: ServiceHandle;
  let platform: ServiceHandle;
  let client: BusClient;

  beforeAll(async () => {
    xmpp = await startPrivateProsody({ dir, accounts });
    nats = await startPrivateNats();
    target = await startHttpTarget();
    agent = await startBridge(
      'agent-bridge',
      xmppEnv(xmpp, 'agent', 'agent-pw', {
        XMPP_BRIDGE_NATS_COMMANDS: 'false',
        XMPP_BRIDGE_HTTP_TARGET: target.url,
        XMPP_BRIDGE_ALLOWED_JIDS: `platform@${DOMAIN}`,
      }),
    );
    platform = await startBridge(
      'platform-bridge',
      xmppEnv(xmpp, 'platform', 'platform-pw', {
        NATS_SERVERS: nats.url,
        SERVICE_MAP: `agent.example=agent@${DOMAIN}`,
        AZTM_SERVER_MODE: 'false',
      }),
    );
    client = await createBusClient(nats.url, 'a2a');
  });

  afterAll(async () => {
    await client?.close();
    await Promise.allSettled([platform?.stop(), agent?.stop()]);
    await target?.close();
    await nats?.stop();
    await xmpp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (path: string, timeoutMs = 20_000) =>
    client.bus.request(
      Xmpp.HttpRequest,
      { method: 'GET', url: `http://agent.example${path}`, headers: [], timeoutMs },
      { timeoutMs: timeoutMs + 5_000 },
    );
  const failure = async (p: Promise<unknown>): Promise<{ error: DomainError }> => {
    try {
      await p;
    } catch (e) {
      return { error: e as DomainError };
    }
    throw new Error('expected a failure');
  };

  it('sizes bodies to a NATS with the default 1 MB max_payload: a 1 MB body fails at once, typed, and smaller ones cross', async () => {
    // The machine's own NATS runs with defaults: the bridge said so at start, and adapted.
    expect(platform.logs()).toMatch(
      /"level":"warn".*NATS max_payload is 1048576 bytes: bodies over \d+ bytes .* raise max_payload/,
    );
    // Refused while the body arrived, with its own code; dropped by NATS it would have ended in a
    // TIMEOUT instead.
    const { error } = await failure(send('/bytes?n=1048576'));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toMatch(/exceeds (the bridge limit of )?\d+ bytes/);
    const fits = await send('/bytes?n=700000');
    expect(Buffer.from(fits.body?.data ?? '', 'base64')).toHaveLength(700_000);
  });

  it('rejects in-flight requests at once and fails new ones fast while the server is down, then recovers', async () => {
    expect((await send('/before')).status).toBe(200);

    // A request in flight when the server goes: rejected as soon as the connection drops — or, when
    // the stopping server first closes the agent's session, as soon as the agent's unavailable
    // presence arrives — not after its 20 s timeout (a TIMEOUT) nor after the 5 s the target takes
    // (a 200): the code and the reason say which. No clock reading: a loaded CI machine stretches them.
    const inFlight = failure(send('/slow?ms=5000'));
    await waitFor(() => target.requests.some((r) => r.url === '/slow?ms=5000'), {
      what: 'the slow request at the target',
    });
    await xmpp.stop();
    const { error: lost } = await inFlight;
    expect(lost).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(lost.message).toMatch(
      /xmpp bridge unavailable: the XMPP connection was lost|went offline \(unavailable presence\)/,
    );

    // During the outage: typed and refused before sending (the reason names the reconnecting
    // session, where a request sent into the void would have ended in a TIMEOUT).
    for (let i = 0; i < 3; i++) {
      const { error } = await failure(send('/during'));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/is reconnecting/);
    }
    const down = await waitFor(
      async () => {
        const s = await client.bus.request(Xmpp.Status, {});
        return s.attempts > 0 && s.lastFailure ? s : undefined;
      },
      { what: 'a failed reconnect attempt' },
    );
    expect(down.state).toBe('reconnecting');
    expect(down.lastFailure).toMatchObject({ phase: 'connect', kind: 'connection-refused' });
    const readiness = await fetch(`${platform.url}/readiness`);
    expect(readiness.status).toBe(503);
    expect(await readiness.text()).toMatch(/reconnecting/);

    // Same ports, same data: the bridges log in again by themselves.
    xmpp = await startPrivateProsody({
      dir,
      accounts,
      c2sPort: xmpp.c2sPort,
      tlsPort: xmpp.tlsPort,
    });
    const after = await waitFor(
      async () => (await send('/after', 2_000).catch(() => undefined))?.status === 200,
      { timeoutMs: 30_000, intervalMs: 200, what: 'a request after the restart' },
    );
    expect(after).toBe(true);
    const up = await client.bus.request(Xmpp.Status, {});
    expect(up).toMatchObject({ state: 'online', attempts: 0 });
    expect((await fetch(`${platform.url}/readiness`)).status).toBe(200);
    expect(platform.logs()).toMatch(/XMPP session online again/);
  });
});

// The server goes while a large response body is still arriving in chunks: the request fails at once
// (the session is gone, so the rest can never arrive), not after its timeout. The agent is a scripted
// XMPP peer, so the test decides exactly how much of the body is sent before Prosody stops.
describe('a chunked response cut off by the XMPP server going (real Prosody, NATS and bridge)', () => {
  const accounts = [
    { user: 'platform', host: DOMAIN, password: 'platform-pw' },
    { user: 'agent', host: DOMAIN, password: 'agent-pw' },
  ];
  const CHUNK = 48 * 1024;
  const SENT = 2 * 1024 * 1024 + CHUNK;
  let xmpp: PrivateProsody;
  let nats: StackNats;
  let agent: TestXmppClient;
  let platform: ServiceHandle;
  let client: BusClient;
  let sent = 0;

  beforeAll(async () => {
    xmpp = await startPrivateProsody({ accounts });
    nats = await startStackNats();
    agent = await connectTestClient(xmpp, 'agent', 'agent-pw');
    // Answers a request with a 4 MB chunkedBase64 body, then sends only its first 2 MB.
    agent.onStanza((iq) => {
      if (iq.name !== 'iq' || iq.attrs['type'] !== 'set' || !iq.getChild('req', 'urn:xmpp:http'))
        return;
      const from = iq.attrs['from'] ?? '';
      void (async () => {
        await agent.send(
          xml(
            'iq',
            { type: 'result', to: from, id: iq.attrs['id'] ?? '' },
            responseElement({
              dialect: 'xep',
              status: 200,
              version: '1.1',
              headers: [['Content-Type', 'application/octet-stream']],
              body: { kind: 'chunked', streamId: 'cut-off' },
            }),
          ),
        );
        for (let nr = 0; nr * CHUNK < SENT; nr++) {
          const data = Buffer.alloc(CHUNK, nr % 251).toString('base64');
          await agent.send(chunkMessage(from, { streamId: 'cut-off', nr, data, last: false }));
          sent += CHUNK;
        }
      })();
    });
    platform = await startBridge(
      'platform-bridge-cut',
      xmppEnv(xmpp, 'platform', 'platform-pw', {
        NATS_SERVERS: nats.url,
        // The scripted peer's full JID: no presence subscription needed.
        SERVICE_MAP: `agent.example=${agent.jid}`,
        // One line per stanza, to see the chunks arrive.
        AZTM_LOG_LEVEL: 'DEBUG',
      }),
    );
    client = await createBusClient(nats.url, 'a2a');
  });

  afterAll(async () => {
    await client?.close();
    await platform?.stop();
    await agent?.close().catch(() => undefined);
    await nats?.stop();
    await xmpp?.stop();
  });

  it('fails the request at once with UPSTREAM_UNAVAILABLE (bridge-disconnected), not after its timeout', async () => {
    const timeoutMs = 30_000;
    const pending = client.bus
      .request(
        Xmpp.HttpRequest,
        { method: 'GET', url: 'http://agent.example/big', headers: [], timeoutMs },
        { timeoutMs: timeoutMs + 5_000 },
      )
      .then(
        () => undefined,
        (e: unknown) => ({ error: e as DomainError }),
      );
    const chunksIn = () =>
      platform
        .logs()
        .split('\n')
        .filter(
          (l) => l.includes('"direction":"in"') && l.includes('"payload":"chunk urn:xmpp:http"'),
        ).length;
    // Every chunk the peer sent (2 MB and more) has reached the bridge; the rest never will.
    await waitFor(() => sent >= SENT && chunksIn() >= Math.ceil(SENT / CHUNK), {
      timeoutMs: 20_000,
      what: 'the first 2 MB of the body at the bridge',
    });
    await xmpp.stop();
    const outcome = await pending;
    expect(outcome).toBeDefined();
    expect(outcome?.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(outcome?.error.retryable).toBe(true);
    expect(outcome?.error.details).toMatchObject({ reason: 'bridge-disconnected' });
    // At once, from the lost connection: waiting out the body's 30 s would have been a TIMEOUT.
    expect(outcome?.error.message).toMatch(/the XMPP connection was lost/);
  });
});
