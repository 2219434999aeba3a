// Reaching the server and securing the stream: resolve the host, connect over TCP (direct TLS on top
// when AZTM_TLS=direct), and, on a plain connection, upgrade with STARTTLS or refuse to go on where
// the settings and the server's features disagree about TLS.
import { xml, type Element } from '@xmpp/xml';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { XmppSettings } from '../config/bridge-settings.js';
import { LoginStepError } from './login.errors.js';
import { type LoginRun, openStream } from './login.run.js';
import type { BridgeClient } from './bridge.client.js';
import { NS } from './xmpp.namespaces.js';

/** The resolve and connect phases (and the tls phase, for direct TLS). */
export async function connect(run: LoginRun, settings: XmppSettings): Promise<void> {
  const { client } = run;

  run.enter('resolve');
  let address = settings.host;
  if (isIP(settings.host)) {
    run.done(`${settings.host} is an address`);
  } else {
    address = (await run.wait(lookup(settings.host))).address;
    run.done(`${settings.host} → ${address}`);
  }

  run.enter('connect');
  const scheme = settings.tls === 'direct' ? 'xmpps' : 'xmpp';
  const service = `${scheme}://${isIP(address) === 6 ? `[${address}]` : address}:${settings.port}`;
  const connected = client.connect(service);
  // TCP has its own, shorter deadline: dropped SYNs would otherwise use up the whole login's.
  if (settings.tls === 'direct') {
    const tcp = new Promise<void>((resolve) => client.socket?.once('tcp-connect', () => resolve()));
    await run.wait(Promise.race([tcp, connected]), settings.connectTimeoutMs);
    run.done(`TCP ${address}:${settings.port}`);
    run.enter('tls');
    await run.wait(connected);
    run.done(tlsDetail(client, 'direct TLS'));
  } else {
    await run.wait(connected, settings.connectTimeoutMs);
    run.done(`TCP ${address}:${settings.port}`);
  }
}

/**
 * The tls phase on a plain connection: STARTTLS when the settings ask for it (then the features of
 * the stream restarted over TLS are returned), a refusal when the server requires TLS and the
 * settings turned it off. Direct TLS is already secure: `features` come back as they are.
 */
export async function startTls(
  run: LoginRun,
  settings: XmppSettings,
  features: Element,
): Promise<Element> {
  if (settings.tls === 'direct') return features;
  const { client } = run;
  const starttls = features.getChild('starttls', NS.tls);
  if (settings.tls === 'starttls') {
    run.enter('tls');
    if (!starttls) {
      throw new LoginStepError('tls', {
        type: 'refused',
        kind: 'starttls-unavailable',
        said: 'the server offers no STARTTLS',
        hint: "use AZTM_TLS=direct with the server's TLS port (usually 5223), or AZTM_TLS=off on a trusted network only",
      });
    }
    const answer = run.next(
      (el) => el.getNS() === NS.tls && (el.name === 'proceed' || el.name === 'failure'),
    );
    await run.wait(client.sendElement(xml('starttls', { xmlns: NS.tls })));
    if ((await run.wait(answer)).name !== 'proceed') {
      throw new LoginStepError('tls', {
        type: 'refused',
        kind: 'starttls-failed',
        said: 'STARTTLS failure',
        hint: 'the server could not start TLS: see its log (certificate, TLS settings)',
      });
    }
    await run.wait(client.upgradeToTls());
    run.done(tlsDetail(client, 'STARTTLS'));
    run.enter('stream');
    const restarted = await openStream(run, settings.domain, true);
    run.done('stream restarted over TLS');
    return restarted;
  } else if (starttls?.getChild('required')) {
    run.enter('tls');
    throw new LoginStepError('tls', {
      type: 'refused',
      kind: 'tls-required',
      said: 'the server requires TLS (STARTTLS <required/>)',
      hint: 'AZTM_TLS=off cannot log in here: use AZTM_TLS=starttls (or auto)',
    });
  }
  return features;
}

function tlsDetail(client: BridgeClient, how: string): string {
  const tls = client.tlsSocket;
  return tls ? `${how}: ${tls.getProtocol()} ${tls.getCipher().name}` : how;
}
