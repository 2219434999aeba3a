import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DomainError, Xmpp } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  type ManagedProcess,
  type PrivateNats,
  type PrivateProsody,
  repoRoot,
  type ServiceHandle,
  spawnManaged,
  startPrivateNats,
  startPrivateProsody,
  waitFor,
} from '@switchboard/testing';
import {
  type HttpTarget,
  peerEvents as events,
  PYTHON,
  SLIXMPP_PEER,
  slixmppPeerArgs,
  slixmppRequest,
  startBridge,
  startHttpTarget,
  xmppEnv,
} from './support/bridge.harness.js';

// Interoperability with an independent XEP-0332 implementation: slixmpp's plugin (Debian
// python3-slixmpp 1.8.3), as the agents' Python AZTM library uses it, in both directions. slixmpp
// names the elements <request>/<response>; the bridge speaks both dialects. slixmpp takes no chunked
// bodies: against Prosody's default stanza limit (256 KiB, announced through XEP-0478 stream limits),
// a body too large for one stanza must be refused while the shared session stays up. (Prosody checks
// its limit at the end of each read, so a stanza just over it may pass; 600 KB is sure to be caught.)
const DOMAIN = 'agents.switchboard.local';
const STANZA_LIMIT = 262_144;

describe('XEP-0332 interoperability with slixmpp (real Prosody, bridge and slixmpp processes)', () => {
  let xmpp: PrivateProsody;
  let nats: PrivateNats;
  let target: HttpTarget;
  let platform: ServiceHandle;
  let slixServer: ManagedProcess;
  let client: BusClient;
  const pw = {
    platform: 'platform-pw',
    pyagent: 'pyagent-pw',
    pyclient: 'pyclient-pw',
    stranger: 'stranger-pw',
  };

  /** One request from a slixmpp client to `to`; resolves with the peer's last event. */
  const slixRequest = (user: keyof typeof pw, to: string, extra: string[]) =>
    slixmppRequest(xmpp, { user, password: pw[user] }, to, extra);

  beforeAll(async () => {
    xmpp = await startPrivateProsody({
      accounts: Object.entries(pw).map(([user, password]) => ({ user, host: DOMAIN, password })),
      stanzaSizeLimit: STANZA_LIMIT,
    });
    nats = await startPrivateNats();
    target = await startHttpTarget();
    slixServer = spawnManaged(
      PYTHON,
      ['-u', SLIXMPP_PEER, 'serve', ...slixmppPeerArgs(xmpp, 'pyagent', 'py')],
      {
        name: 'slixmpp-serve',
        env: { XMPP_PASSWORD: pw.pyagent },
        cwd: repoRoot,
      },
    );
    await waitFor(() => events(slixServer.logs()).some((e) => e.event === 'ready'), {
      timeoutMs: 20_000,
      what: 'the slixmpp peer to log in',
    });
    platform = await startBridge(
      'platform-bridge',
      xmppEnv(xmpp, 'platform', pw.platform, {
        NATS_SERVERS: nats.url,
        SERVICE_MAP: `python-agent.example=pyagent@${DOMAIN}`,
        XMPP_BRIDGE_HTTP_TARGET: target.url,
        XMPP_BRIDGE_ALLOWED_JIDS: `pyclient@${DOMAIN}`,
        XMPP_BRIDGE_RESOURCE: 'platform',
      }),
    );
    client = await createBusClient(nats.url, 'a2a');
  });

  afterAll(async () => {
    await client?.close();
    await platform?.stop();
    await slixServer?.stop(3_000);
    await target?.close();
    await nats?.stop();
    await xmpp?.stop();
  });

  /** The requests the slixmpp peer has logged serving so far. */
  const served = () => events(slixServer.logs()).filter((e) => e.event === 'request');

  it('bridge → slixmpp: a NATS request reaches the slixmpp peer and its answer comes back', async () => {
    const body = '{"jsonrpc":"2.0","method":"SendMessage","params":{"text":"héllo <&>"}}';
    const res = await client.bus.request(Xmpp.HttpRequest, {
      method: 'POST',
      url: 'http://python-agent.example/a2a?x=1',
      headers: [['Content-Type', 'application/json']],
      body: { encoding: 'text', data: body },
    });
    expect(res.status).toBe(200);
    expect(res.via).toBe(`pyagent@${DOMAIN}/py`);
    const echoed = JSON.parse(res.body?.data ?? '{}') as {
      method: string;
      resource: string;
      headers: Record<string, string>;
      body: string;
      encoding: string;
    };
    expect(echoed).toEqual({
      method: 'POST',
      resource: '/a2a?x=1',
      headers: { Host: 'python-agent.example', 'Content-Type': 'application/json' },
      body,
      encoding: 'text',
    });
    // slixmpp saw a <request/> it has a handler for (the bridge switched dialect after <req/> was refused).
    // The peer logs it before answering, but its output reaches the log file through this process'
    // pipe, which may be read after the answer that came back over NATS.
    const requests = await waitFor(() => (served().length ? served() : undefined), {
      what: "the slixmpp peer's log of the request",
    });
    expect(requests).toHaveLength(1);
    const again = await client.bus.request(Xmpp.HttpRequest, {
      method: 'GET',
      url: 'http://python-agent.example/twice',
      headers: [],
    });
    expect(JSON.parse(again.body?.data ?? '{}')).toMatchObject({
      method: 'GET',
      resource: '/twice',
    });
    // both in the peer's log before the next test counts what it served
    await waitFor(() => served().length === 2, { what: "the slixmpp peer's log of both requests" });
  });

  it("slixmpp → bridge: a slixmpp client's request is served from the local HTTP target", async () => {
    const answer = await slixRequest('pyclient', `platform@${DOMAIN}/platform`, [
      '--method',
      'PUT',
      '--path',
      '/agents/x?q=1',
      '--header',
      'Content-Type: application/json',
      '--body',
      '{"from":"python","text":"é"}',
    ]);
    expect(answer).toMatchObject({
      event: 'response',
      status: 200,
      message: 'OK',
      encoding: 'text',
    });
    expect(JSON.parse(String(answer['body']))).toMatchObject({
      method: 'PUT',
      url: '/agents/x?q=1',
      from: `pyclient@${DOMAIN}`,
      contentType: 'application/json',
      sha: '{"from":"python","text":"é"}',
    });
  });

  it('slixmpp → bridge: a JID that is not allowed gets <forbidden/>', async () => {
    const before = target.requests.length;
    const answer = await slixRequest('stranger', `platform@${DOMAIN}/platform`, [
      '--path',
      '/secret',
    ]);
    expect(answer).toMatchObject({ event: 'error', condition: 'forbidden' });
    expect(target.requests.length).toBe(before);
  });

  /** The platform bridge's session as it stands: the same bound JID and `since` mean it never dropped. */
  const session = () => client.bus.request(Xmpp.Status, {});
  const exchanges = () =>
    platform
      .logs()
      .split('\n')
      .filter((l) => l.includes('"xmpp exchange"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it("knows the server's stanza limit from its XEP-0478 stream features", async () => {
    expect((await session()).stanzaLimit).toEqual({ bytes: STANZA_LIMIT, source: 'advertised' });
  });

  it('bridge → slixmpp: refuses a body one stanza cannot hold with PAYLOAD_TOO_LARGE; the session stays up', async () => {
    const before = await session();
    const servedBefore = served().length;
    const refused = await client.bus
      .request(Xmpp.HttpRequest, {
        method: 'POST',
        url: 'http://python-agent.example/a2a',
        headers: [['Content-Type', 'text/plain']],
        body: { encoding: 'text', data: 'x'.repeat(600_000) },
      })
      .then(
        () => undefined,
        (e: unknown) => e as DomainError,
      );
    expect(refused).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { bytes: 600_000, stanzaLimit: STANZA_LIMIT, dialect: 'slixmpp' },
    });
    expect(refused?.message).toContain("slixmpp's XEP-0332 dialect takes no chunked bodies");
    // Nothing reached the peer, the session never dropped, and the next request goes through.
    expect(served()).toHaveLength(servedBefore);
    const next = await client.bus.request(Xmpp.HttpRequest, {
      method: 'GET',
      url: 'http://python-agent.example/after',
      headers: [],
    });
    expect(next.status).toBe(200);
    const after = await session();
    expect(after).toMatchObject({
      state: 'online',
      boundJid: before.boundJid,
      since: before.since,
    });
    expect(platform.logs()).not.toContain('XMPP session lost');
  });

  it('slixmpp → bridge: answers a response one stanza cannot hold with <not-acceptable/>; the session stays up', async () => {
    const before = await session();
    const answer = await slixRequest('pyclient', `platform@${DOMAIN}/platform`, [
      '--path',
      '/bytes?n=600000',
    ]);
    expect(answer).toMatchObject({ event: 'error', condition: 'not-acceptable' });
    // slixmpp reports the error stanza: the reason and the bridge's payload-too-large condition.
    expect(String(answer['message'])).toContain('does not fit in one stanza');
    expect(String(answer['message'])).toContain('<payload-too-large');
    // Logged as what happened, not as the target's 200.
    const line = await waitFor(
      () => exchanges().find((l) => l['direction'] === 'in' && l['path'] === '/bytes'),
      { what: 'the served exchange to be logged' },
    );
    expect(line).toMatchObject({ status: 200, outcome: 'PAYLOAD_TOO_LARGE' });
    const next = await slixRequest('pyclient', `platform@${DOMAIN}/platform`, ['--path', '/ok']);
    expect(next).toMatchObject({ event: 'response', status: 200 });
    const after = await session();
    expect(after).toMatchObject({
      state: 'online',
      boundJid: before.boundJid,
      since: before.since,
    });
    expect(platform.logs()).not.toContain('XMPP session lost');
  });
});
