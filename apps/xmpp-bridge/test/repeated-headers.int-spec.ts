import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Xmpp } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
} from '@switchboard/testing';
import {
  AGENTS_DOMAIN as DOMAIN,
  type BridgePair,
  REPEATED_COOKIES,
  slixmppRequest,
  startBridge,
  startBridgePair,
  xmppEnv,
} from './support/bridge.harness.js';

// An agent's HTTP answer that repeats header names — two Set-Cookie (each Expires date holds ", ") and
// two X-Multi (a, b) — served by the agent's bridge to three requesters on real Prosody: slixmpp's
// XEP-0332 plugin (Debian python3-slixmpp 1.8.3, whose SHIM parser keeps one value per exact name and
// reads no header at all when a name repeats), the platform's bridge in the XEP's dialect, and a
// platform bridge speaking slixmpp's dialect (XMPP_BRIDGE_DIALECT=slixmpp; own NATS, so the two
// platform bridges never share a queue group).

type Pair = BridgePair<{ pyclient: string; relay: string }>;

const isSetCookie = ([name]: [string, string]) => name.toLowerCase() === 'set-cookie';

describe('repeated response headers over XMPP (real Prosody, bridge and slixmpp processes)', () => {
  let pair: Pair;
  let relayNats: PrivateNats;
  let relay: ServiceHandle;
  let relayClient: BusClient;
  const agentJid = `agent@${DOMAIN}/agent-1`;

  beforeAll(async () => {
    pair = await startBridgePair({
      accounts: { pyclient: 'pyclient-pw', relay: 'relay-pw' },
      agentEnv: () => ({
        XMPP_BRIDGE_ALLOWED_JIDS: `platform@${DOMAIN},pyclient@${DOMAIN},relay@${DOMAIN}`,
      }),
    });
    relayNats = await startPrivateNats();
    relay = await startBridge(
      'relay-bridge',
      xmppEnv(pair.xmpp, 'relay', pair.passwords.relay, {
        NATS_SERVERS: relayNats.url,
        SERVICE_MAP: JSON.stringify({ 'agent.example': `agent@${DOMAIN}` }),
        XMPP_BRIDGE_DIALECT: 'slixmpp',
        XMPP_BRIDGE_RESOURCE: 'relay',
      }),
    );
    relayClient = await createBusClient(relayNats.url, 'a2a');
  });

  afterAll(async () => {
    await relayClient?.close();
    await relay?.stop();
    await relayNats?.stop();
    await pair?.stop();
  });

  it('slixmpp requester: X-Multi joined as "a, b", and each Set-Cookie intact under its own spelling of the name', async () => {
    const answer = await slixmppRequest(
      pair.xmpp,
      { user: 'pyclient', password: pair.passwords.pyclient },
      agentJid,
      ['--path', '/repeated'],
    );
    expect(answer).toMatchObject({ event: 'response', status: 200, body: 'repeated' });
    const headers = answer['headers'] as Record<string, string>;
    expect(headers['X-Multi']).toBe('a, b');
    // slixmpp's dict holds one value per exact name: the first cookie under the name the agent
    // wrote, the second under another letter case of it — the same HTTP field (RFC 9110 §5.1).
    expect(headers['Set-Cookie']).toBe(REPEATED_COOKIES[0]);
    const cookies = Object.entries(headers).filter(isSetCookie);
    expect(cookies.map(([, value]) => value)).toEqual(REPEATED_COOKIES);
    expect(new Set(cookies.map(([name]) => name)).size).toBe(REPEATED_COOKIES.length);
  });

  it("our bridge in the XEP's dialect: every Set-Cookie and every X-Multi reach the NATS caller as separate headers", async () => {
    const res = await pair.client.bus.request(Xmpp.HttpRequest, {
      method: 'GET',
      url: 'http://agent.example/repeated',
      headers: [],
    });
    expect(res.status).toBe(200);
    expect(res.headers.filter(isSetCookie)).toEqual(
      REPEATED_COOKIES.map((cookie) => ['Set-Cookie', cookie]),
    );
    expect(res.headers.filter(([name]) => name === 'X-Multi')).toEqual([
      ['X-Multi', 'a'],
      ['X-Multi', 'b'],
    ]);
  });

  it("our bridge in slixmpp's dialect: every Set-Cookie reaches the NATS caller as a separate header, X-Multi joined", async () => {
    const res = await relayClient.bus.request(Xmpp.HttpRequest, {
      method: 'GET',
      url: 'http://agent.example/repeated',
      headers: [],
    });
    expect(res.status).toBe(200);
    expect(res.via).toBe(agentJid);
    // The spellings slixmpp needed are folded back into the first one's.
    expect(res.headers.filter(isSetCookie)).toEqual(
      REPEATED_COOKIES.map((cookie) => ['Set-Cookie', cookie]),
    );
    expect(res.headers.filter(([name]) => name.toLowerCase() === 'x-multi')).toEqual([
      ['X-Multi', 'a, b'],
    ]);
  });
});
