// Service discovery (XEP-0030) and entity capabilities (XEP-0115): peers learn from our presence or a
// disco#info query that this JID speaks HTTP over XMPP (urn:xmpp:http, XEP-0332 §5).
import { type Element, xml } from '@xmpp/xml';
import { createHash } from 'node:crypto';
import { NS_HTTP } from './http-over-xmpp.translator.js';
import { StanzaErrorReply, type XmppConnection } from './xmpp-connection.js';

export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const NS_CAPS = 'http://jabber.org/protocol/caps';
const CAPS_NODE = 'https://github.com/switchboard/xmpp-bridge';
const IDENTITY = { category: 'client', type: 'bot', name: 'Switchboard XMPP bridge' };

export class Disco {
  readonly features: string[];
  readonly ver: string;

  constructor(serverMode: boolean) {
    this.features = [
      NS_CAPS,
      NS_DISCO_INFO,
      'urn:xmpp:ping',
      ...(serverMode ? [NS_HTTP] : []),
    ].sort();
    // XEP-0115 §5.1: identities then features, each followed by '<'.
    const s = `${IDENTITY.category}/${IDENTITY.type}//${IDENTITY.name}<${this.features.map((f) => `${f}<`).join('')}`;
    this.ver = createHash('sha1').update(s).digest('base64');
  }

  register(connection: XmppConnection): void {
    connection.handle(NS_DISCO_INFO, 'query', (iq: Element, query: Element) => {
      if (iq.attrs['type'] !== 'get')
        throw new StanzaErrorReply('cancel', 'bad-request', 'disco#info is a get');
      const node = query.attrs['node'];
      if (node && node !== `${CAPS_NODE}#${this.ver}`)
        throw new StanzaErrorReply('cancel', 'item-not-found');
      return xml(
        'query',
        { xmlns: NS_DISCO_INFO, ...(node ? { node } : {}) },
        xml('identity', IDENTITY),
        ...this.features.map((v) => xml('feature', { var: v })),
      );
    });
  }

  /** Our presence, announcing the capabilities. */
  presence(): Element {
    return xml(
      'presence',
      {},
      xml('c', { xmlns: NS_CAPS, hash: 'sha-1', node: CAPS_NODE, ver: this.ver }),
    );
  }
}
