import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DomainError, Xmpp } from '@switchboard/contracts';
import { xml } from '@xmpp/xml';
import {
  AGENTS_DOMAIN as DOMAIN,
  type BridgePair,
  pattern,
  startBridgePair,
} from './support/bridge.harness.js';
import { connectTestClient } from './support/xmpp-test.client.js';

// NATS → the platform's bridge → Prosody → an agent's bridge (server mode, no NATS) → the agent's
// local HTTP server (on a unix socket: it listens on no TCP port at all), and back: real processes,
// real Prosody, and a NATS started with the stack's own settings (infra/docker/nats.conf).
const MAX_BODY = 4 * 1024 * 1024;

describe('HTTP over XMPP between two bridges (real Prosody, NATS and bridge processes)', () => {
  type Pair = BridgePair<{ intruder: string }>;
  let pair: Pair;
  let xmpp: Pair['xmpp'];
  let target: Pair['target'];
  let agent: Pair['agent'];
  let platform: Pair['platform'];
  let client: Pair['client'];
  let pw: Pair['passwords'];

  beforeAll(async () => {
    pair = await startBridgePair({
      accounts: { intruder: 'intruder-pw' },
      agentEnv: () => ({ XMPP_BRIDGE_MAX_BODY_BYTES: String(MAX_BODY) }),
      platformEnv: ({ target }) => ({
        XMPP_BRIDGE_HTTP_TARGET: target.url,
        XMPP_BRIDGE_MAX_BODY_BYTES: String(MAX_BODY),
      }),
    });
    ({ xmpp, target, agent, platform, client, passwords: pw } = pair);
  });

  afterAll(() => pair?.stop());

  const send = (req: Partial<Xmpp.HttpOverXmppRequest> & { url: string }) =>
    client.bus.request(
      Xmpp.HttpRequest,
      { method: 'GET', headers: [], ...req },
      { timeoutMs: 30_000 },
    );
  const failure = async (p: Promise<unknown>): Promise<DomainError> => {
    try {
      await p;
    } catch (e) {
      return e as DomainError;
    }
    throw new Error('expected a failure');
  };

  it('carries a JSON request and its response: status, headers verbatim, body, and who answered', async () => {
    const res = await send({
      method: 'POST',
      url: 'http://agent.example/a2a/rpc?x=1&y=é',
      headers: [
        ['Content-Type', 'application/json'],
        ['X-Trace', 'a'],
        ['X-Trace', 'b'],
        ['X-Xmpp-From', 'spoofed@evil.example'],
      ],
      body: {
        encoding: 'text',
        data: '{"jsonrpc":"2.0","method":"SendMessage","params":{"text":"héllo <&> 😀"}}',
      },
    });
    expect(res.status).toBe(200);
    expect(res.via).toBe(`agent@${DOMAIN}/agent-1`);
    expect(res.headers).toContainEqual(['X-Target', 'yes']);
    expect(res.body?.encoding).toBe('text');
    const seen = JSON.parse(res.body?.data ?? '{}') as Record<string, unknown>;
    expect(seen).toMatchObject({
      method: 'POST',
      url: '/a2a/rpc?x=1&y=%C3%A9',
      host: 'agent.example',
      from: `platform@${DOMAIN}`,
      contentType: 'application/json',
      sha: '{"jsonrpc":"2.0","method":"SendMessage","params":{"text":"héllo <&> 😀"}}',
    });
    const last = target.requests[target.requests.length - 1];
    expect(last?.headers['x-trace']).toBe('a, b');
  });

  it("returns a 1 MB binary response intact (chunkedBase64 over XMPP) through the stack's NATS", async () => {
    const res = await send({ url: 'http://agent.example/bytes?n=1048576' });
    expect(res.body?.encoding).toBe('base64');
    expect(Buffer.from(res.body?.data ?? '', 'base64').equals(pattern(1_048_576))).toBe(true);
    // It sized its body limit to this server (8 MB messages) at start, without complaint.
    expect(platform.logs()).toMatch(/"msg":"bodies up to the bridge limit fit in NATS messages"/);
  });

  it('delivers a 300 KB binary request body intact', async () => {
    const body = pattern(300_000, 7);
    const res = await send({
      method: 'PUT',
      url: 'http://agent.example/upload',
      headers: [['Content-Type', 'application/octet-stream']],
      body: { encoding: 'base64', data: body.toString('base64') },
    });
    expect(res.status).toBe(200);
    const got = target.requests.find((r) => r.url === '/upload');
    expect(got?.body.equals(body)).toBe(true);
  });

  it('keeps many requests in flight at once, each answered correctly', async () => {
    const sizes = Array.from({ length: 48 }, (_, i) => (i % 4 === 0 ? 70_000 + i : 100 + i));
    const results = await Promise.all(
      sizes.map((n) => send({ url: `http://agent.example/bytes?n=${n}` })),
    );
    results.forEach((r, i) =>
      expect(Buffer.from(r.body?.data ?? '', 'base64').equals(pattern(sizes[i] ?? 0))).toBe(true),
    );
  });

  it("passes the target's own error statuses through, and fails typed for what the bridge refuses", async () => {
    expect((await send({ url: 'http://agent.example/status/503' })).status).toBe(503);
    const unmapped = await failure(send({ url: 'http://nowhere.example/' }));
    expect(unmapped.code).toBe('NOT_FOUND');
    expect(unmapped.message).toContain('nowhere.example');
    const tooBigRequest = await failure(
      send({
        method: 'POST',
        url: 'http://agent.example/x',
        body: { encoding: 'base64', data: Buffer.alloc(MAX_BODY + 1).toString('base64') },
      }),
    );
    expect(tooBigRequest.code).toBe('PAYLOAD_TOO_LARGE');
    const tooBigResponse = await failure(
      send({ url: `http://agent.example/bytes?n=${MAX_BODY + 1}` }),
    );
    expect(tooBigResponse.code).toBe('PAYLOAD_TOO_LARGE');
    expect(tooBigResponse.message).toContain(`agent@${DOMAIN}`);
  });

  it('enforces the per-request timeout', async () => {
    // The target answers after 5 s: a TIMEOUT can only be the request's own 400 ms.
    const slow = await failure(send({ url: 'http://agent.example/slow?ms=5000', timeoutMs: 400 }));
    expect(slow.code).toBe('TIMEOUT');
  });

  it("reports its session on the status subject; the agent's bridge (no NATS role) never answers it", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 6 }, () => client.bus.request(Xmpp.Status, {})),
    );
    for (const s of statuses) {
      // No XMPP_BRIDGE_ALLOWED_JIDS: nobody may call the platform's gateway over XMPP.
      expect(s).toMatchObject({
        jid: `platform@${DOMAIN}`,
        state: 'online',
        serverMode: false,
        mechanism: 'SCRAM-SHA-1',
      });
      expect(s.peers).toEqual([{ host: 'agent.example', jid: `agent@${DOMAIN}`, online: true }]);
    }
    const readiness = (await (await fetch(`${agent.url}/readiness`)).json()) as {
      details: Record<string, unknown>;
    };
    expect(Object.keys(readiness.details)).toEqual(['xmpp']);
  });

  it('refuses requests from JIDs that are not allowed, and advertises urn:xmpp:http', async () => {
    const intruder = await connectTestClient(xmpp, 'intruder', pw.intruder);
    try {
      const refused = await intruder.iq(
        `agent@${DOMAIN}/agent-1`,
        'set',
        xml('req', { xmlns: 'urn:xmpp:http', method: 'GET', resource: '/', version: '1.1' }),
      );
      expect(refused.attrs['type']).toBe('error');
      expect(
        refused.getChild('error')?.getChild('forbidden', 'urn:ietf:params:xml:ns:xmpp-stanzas'),
      ).toBeDefined();
      const info = await intruder.iq(
        `agent@${DOMAIN}/agent-1`,
        'get',
        xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }),
      );
      const features = info
        .getChild('query')
        ?.getChildren('feature')
        .map((f) => f.attrs['var']);
      expect(features).toContain('urn:xmpp:http');
      expect(target.requests.some((r) => r.headers['x-xmpp-from'] === `intruder@${DOMAIN}`)).toBe(
        false,
      );
    } finally {
      await intruder.close();
    }
  });

  it("keeps the platform bridge's server mode closed when XMPP_BRIDGE_ALLOWED_JIDS names nobody, even to its SERVICE_MAP peers", async () => {
    const { boundJid } = await client.bus.request(Xmpp.Status, {});
    // The agent's own account: a SERVICE_MAP peer, which used to be allowed to call the gateway.
    const peer = await connectTestClient(xmpp, 'agent', pw.agent);
    try {
      const before = target.requests.length;
      const refused = await peer.iq(
        boundJid ?? '',
        'set',
        xml('req', { xmlns: 'urn:xmpp:http', method: 'GET', resource: '/tasks', version: '1.1' }),
      );
      expect(refused.attrs['type']).toBe('error');
      expect(
        refused
          .getChild('error')
          ?.getChild('service-unavailable', 'urn:ietf:params:xml:ns:xmpp-stanzas'),
      ).toBeDefined();
      const info = await peer.iq(
        boundJid ?? '',
        'get',
        xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }),
      );
      expect(
        info
          .getChild('query')
          ?.getChildren('feature')
          .map((f) => f.attrs['var']),
      ).not.toContain('urn:xmpp:http');
      expect(target.requests.length).toBe(before);
      expect(platform.logs()).toMatch(/server mode is off: XMPP_BRIDGE_ALLOWED_JIDS names nobody/);
    } finally {
      await peer.close();
    }
  });
});
