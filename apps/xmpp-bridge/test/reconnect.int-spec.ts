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
import { rmSync } from 'node:fs';
import {
  type HttpTarget,
  startBridge,
  startHttpTarget,
  xmppEnv,
} from './support/bridge.harness.js';

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
  const failure = async (p: Promise<unknown>): Promise<{ error: DomainError; ms: number }> => {
    const started = performance.now();
    try {
      await p;
    } catch (e) {
      return { error: e as DomainError, ms: performance.now() - started };
    }
    throw new Error('expected a failure');
  };

  it('rejects in-flight requests at once and fails new ones fast while the server is down, then recovers', async () => {
    expect((await send('/before')).status).toBe(200);

    // A request in flight when the server goes: rejected as soon as the connection drops, not after
    // its 20 s timeout nor after the 5 s the target takes.
    const inFlight = failure(send('/slow?ms=5000'));
    await waitFor(() => target.requests.some((r) => r.url === '/slow?ms=5000'), {
      what: 'the slow request at the target',
    });
    const stopped = performance.now();
    await xmpp.stop();
    const { error: lost, ms } = await inFlight;
    expect(lost.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(lost.message).toMatch(/xmpp bridge unavailable: the XMPP connection was lost/);
    expect(ms).toBeLessThan(5_000);
    expect(performance.now() - stopped).toBeLessThan(3_000);

    // During the outage: typed, fast, saying the session is reconnecting.
    for (let i = 0; i < 3; i++) {
      const { error, ms: took } = await failure(send('/during'));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/is reconnecting/);
      expect(took).toBeLessThan(1_000);
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
