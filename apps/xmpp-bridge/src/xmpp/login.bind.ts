// After SASL: the bind phase (our resource, and the full JID the server gives us) and the legacy
// session request of RFC 3921, sent only to servers that still mark it as required.
import { xml, type Element } from '@xmpp/xml';
import type { XmppSettings } from '../config/bridge-settings.js';
import { LoginStepError } from './login.errors.js';
import type { LoginRun } from './login.run.js';
import { NS, readCondition } from './xmpp.namespaces.js';

/** The bind phase; returns the bound full JID. */
export async function bindResource(
  run: LoginRun,
  settings: XmppSettings,
  features: Element,
): Promise<string> {
  run.enter('bind');
  if (!features.getChild('bind', NS.bind)) {
    throw new LoginStepError('bind', {
      type: 'refused',
      kind: 'bind-unavailable',
      said: 'the server offers no resource binding',
      hint: 'not an XMPP client service?',
    });
  }
  const bound = await run.iq(
    xml('bind', { xmlns: NS.bind }, xml('resource', {}, settings.resource)),
    'set',
  );
  if (bound.attrs['type'] === 'error') {
    throw new LoginStepError('bind', {
      type: 'stanza-error',
      error: readCondition(bound.getChild('error'), NS.stanzas),
    });
  }
  const boundJid =
    bound.getChild('bind', NS.bind)?.getChildText('jid') ?? `${settings.bare}/${settings.resource}`;
  run.done(`bound ${boundJid}`);
  return boundJid;
}

/** Enters the session phase and requests a session if the features say it is not optional. */
export async function requestSession(run: LoginRun, features: Element): Promise<void> {
  run.enter('session');
  const session = features.getChild('session', NS.session);
  if (session && !session.getChild('optional')) {
    const reply = await run.iq(xml('session', { xmlns: NS.session }), 'set');
    if (reply.attrs['type'] === 'error') {
      throw new LoginStepError('session', {
        type: 'stanza-error',
        error: readCondition(reply.getChild('error'), NS.stanzas),
      });
    }
  }
}
