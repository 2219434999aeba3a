// The XML namespaces the bridge speaks, and how to read the condition out of an XMPP error element:
// shared by the login and the live session, so it sits apart from both.
import type { Element } from '@xmpp/xml';
import type { XmppCondition } from './login.errors.js';

export const NS = {
  stream: 'http://etherx.jabber.org/streams',
  tls: 'urn:ietf:params:xml:ns:xmpp-tls',
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  bind: 'urn:ietf:params:xml:ns:xmpp-bind',
  session: 'urn:ietf:params:xml:ns:xmpp-session',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  streams: 'urn:ietf:params:xml:ns:xmpp-streams',
  saslCb: 'urn:xmpp:sasl-cb:0',
  ping: 'urn:xmpp:ping',
  /** XEP-0182 application-specific conditions (`<stanza-too-big/>`). */
  errors: 'urn:xmpp:errors',
} as const;

/** The first error child of an XMPP error element. */
export function readCondition(error: Element | undefined, ns: string): XmppCondition {
  const child =
    error
      ?.getChildElements()
      .find((c) => c.name !== 'text' && (c.getNS() === ns || c.attrs['xmlns'] === ns)) ??
    error?.getChildElements()[0];
  const text = error?.getChildText('text') ?? undefined;
  return { condition: child?.name ?? 'undefined-condition', ...(text ? { text } : {}) };
}
