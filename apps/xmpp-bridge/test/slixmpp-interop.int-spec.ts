import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Xmpp } from '@switchboard/contracts';
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
import { execFile } from 'node:child_process';
import {
  type HttpTarget,
  PYTHON,
  SLIXMPP_PEER,
  startBridge,
  startHttpTarget,
  xmppEnv,
} from './support/bridge.harness.js';

// Interoperability with an independent XEP-0332 implementation: slixmpp's plugin (Debian
// python3-slixmpp 1.8.3), as the agents' Python AZTM library uses it, in both directions. slixmpp
// names the elements <request>/<response>; the bridge speaks both dialects.
const DOMAIN = 'agents.switchboard.local';

interface PeerEvent {
  event: string;
  [key: string]: unknown;
}

const events = (out: string): PeerEvent[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as PeerEvent);

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

  /** The slixmpp peer's connection flags for an account. */
  const peerArgs = (user: keyof typeof pw, resource: string) => [
    '--jid',
    `${user}@${DOMAIN}`,
    '--resource',
    resource,
    '--host',
    '127.0.0.1',
    '--port',
    String(xmpp.c2sPort),
    '--ca',
    xmpp.caFile,
  ];

  /** One request from a slixmpp client to `to`; resolves with the peer's last event. */
  const slixRequest = (user: keyof typeof pw, to: string, extra: string[]): Promise<PeerEvent> =>
    new Promise((resolve, reject) => {
      execFile(
        PYTHON,
        ['-u', SLIXMPP_PEER, 'request', ...peerArgs(user, 'cli'), '--to', to, ...extra],
        {
          env: { ...process.env, XMPP_PASSWORD: pw[user] },
          timeout: 30_000,
          cwd: repoRoot,
        },
        (err, stdout, stderr) => {
          const last = events(stdout).pop();
          if (last) resolve(last);
          else reject(new Error(`slixmpp peer failed: ${String(err)}\n${stdout}\n${stderr}`));
        },
      );
    });

  beforeAll(async () => {
    xmpp = await startPrivateProsody({
      accounts: Object.entries(pw).map(([user, password]) => ({ user, host: DOMAIN, password })),
    });
    nats = await startPrivateNats();
    target = await startHttpTarget();
    slixServer = spawnManaged(PYTHON, ['-u', SLIXMPP_PEER, 'serve', ...peerArgs('pyagent', 'py')], {
      name: 'slixmpp-serve',
      env: { XMPP_PASSWORD: pw.pyagent },
      cwd: repoRoot,
    });
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
    expect(events(slixServer.logs()).filter((e) => e.event === 'request')).toHaveLength(1);
    const again = await client.bus.request(Xmpp.HttpRequest, {
      method: 'GET',
      url: 'http://python-agent.example/twice',
      headers: [],
    });
    expect(JSON.parse(again.body?.data ?? '{}')).toMatchObject({
      method: 'GET',
      resource: '/twice',
    });
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
});
