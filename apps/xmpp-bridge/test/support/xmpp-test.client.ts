// A plain XMPP session for tests (the bridge's own login, no bridge around it): sends IQs and
// returns the raw answers, to probe a bridge the way any other XMPP entity would — or plays a peer
// stanza by stanza (answering requests, sending chunks) where a test needs to control the timing.
import type { PrivateProsody } from '@switchboard/testing';
import { type Element, xml } from '@xmpp/xml';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { login } from '../../src/xmpp/login.procedure.js';
import { ScramKeyCache } from '../../src/xmpp/sasl/scram.js';
import type { BridgeClient } from '../../src/xmpp/bridge.client.js';

export interface TestXmppClient {
  jid: string;
  iq(to: string, type: 'get' | 'set', payload: Element, timeoutMs?: number): Promise<Element>;
  /** Sends a stanza as it is. */
  send(stanza: Element): Promise<void>;
  /** Every stanza the server delivers from now on. */
  onStanza(listener: (stanza: Element) => void): void;
  close(): Promise<void>;
}

export async function connectTestClient(
  xmpp: PrivateProsody,
  user: string,
  password: string,
): Promise<TestXmppClient> {
  const domain = xmpp.hosts.agents;
  const result = await login(
    {
      jid: { local: user, domain, resource: `test-${randomUUID().slice(0, 8)}` },
      bare: `${user}@${domain}`,
      password,
      domain,
      host: '127.0.0.1',
      port: xmpp.c2sPort,
      tls: 'starttls',
      sources: { host: 'test', port: 'test', domain: 'test', tls: 'test' },
      validateCert: true,
      ca: readFileSync(xmpp.caFile, 'utf8'),
      timeoutMs: 10_000,
      connectTimeoutMs: 5_000,
      resource: `test-${randomUUID().slice(0, 8)}`,
      keepaliveMs: 0,
      reconnect: { initialMs: 100, maxMs: 1_000 },
    },
    new ScramKeyCache(),
  );
  const client: BridgeClient = result.client;
  client.on('error', () => undefined);
  return {
    jid: result.boundJid,
    iq: (to, type, payload, timeoutMs = 10_000) =>
      new Promise<Element>((resolve, reject) => {
        const id = randomUUID();
        const timer = setTimeout(() => reject(new Error(`no answer from ${to}`)), timeoutMs);
        const listener = (el: Element) => {
          if (el.name !== 'iq' || el.attrs['id'] !== id) return;
          clearTimeout(timer);
          client.off('element', listener);
          resolve(el);
        };
        client.on('element', listener);
        client.sendElement(xml('iq', { type, to, id }, payload)).catch(reject);
      }),
    send: (stanza) => client.sendElement(stanza),
    onStanza: (listener) => client.on('element', listener),
    close: async () => {
      await Promise.race([
        client.stop().catch(() => undefined),
        new Promise((r) => setTimeout(r, 1_000)),
      ]);
      client.destroy();
    },
  };
}
