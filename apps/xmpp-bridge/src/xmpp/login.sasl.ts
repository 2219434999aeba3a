// The sasl phase: the offered mechanisms in order of strength (sasl/mechanisms.ts), one exchange per
// mechanism (PLAIN, or SCRAM with channel binding where TLS allows it), and the next mechanism only
// when the failure is one another mechanism can fix. A server that cannot prove it knows the
// password (a wrong SCRAM server signature) ends the login: that is an impostor, not a fallback.
import { xml, type Element } from '@xmpp/xml';
import type { XmppSettings } from '../config/bridge-settings.js';
import { LoginStepError, type SaslAttempt } from './login.errors.js';
import type { LoginRun } from './login.run.js';
import { type Candidate, orderMechanisms, shouldTryNext } from './sasl/mechanisms.js';
import { ScramClient, ScramError, type ScramKeyCache } from './sasl/scram.js';
import { NS, readCondition } from './xmpp.namespaces.js';

/** SASL with fallback; returns the mechanism that succeeded. */
export async function authenticate(
  run: LoginRun,
  settings: XmppSettings,
  keys: ScramKeyCache,
  features: Element,
): Promise<string> {
  const offered = (features.getChild('mechanisms', NS.sasl)?.getChildren('mechanism') ?? []).map(
    (m) => m.text().trim(),
  );
  const serverBindings = features
    .getChild('sasl-channel-binding', NS.saslCb)
    ?.getChildren('channel-binding')
    .map((c) => c.attrs['type'] ?? '');
  const tlsSocket = run.client.tlsSocket;
  const { candidates, skipped } = orderMechanisms({
    offered,
    secure: run.client.isSecure(),
    ...(tlsSocket ? { tlsVersion: tlsSocket.getProtocol() ?? undefined } : {}),
    ...(serverBindings ? { serverBindings } : {}),
  });
  const attempts: SaslAttempt[] = [];
  for (const candidate of candidates) {
    try {
      await exchange(run, settings, keys, candidate);
      attempts.push({ mechanism: candidate.name, ok: true });
      run.done(
        attempts
          .map((a) =>
            a.ok
              ? `${a.mechanism} ok`
              : `${a.mechanism} failed (${a.condition}${a.text ? `: ${a.text}` : ''})`,
          )
          .join(', '),
      );
      return candidate.name;
    } catch (e) {
      if (!(e instanceof SaslFailure)) throw e;
      attempts.push({
        mechanism: candidate.name,
        ok: false,
        condition: e.condition,
        ...(e.text ? { text: e.text } : {}),
      });
      if (
        !shouldTryNext({
          condition: e.condition,
          ...(e.scramKind ? { scramKind: e.scramKind } : {}),
        })
      ) {
        throw new LoginStepError('sasl', {
          type: 'sasl',
          attempts,
          offered,
          skipped,
          impostor: e.impostor,
        });
      }
    }
  }
  throw new LoginStepError('sasl', { type: 'sasl', attempts, offered, skipped });
}

class SaslFailure extends Error {
  constructor(
    readonly condition: string,
    readonly text?: string,
    readonly scramKind?: string,
    readonly impostor = false,
  ) {
    super(condition);
  }
}

function bindingData(run: LoginRun, type: 'tls-unique' | 'tls-exporter'): Buffer | undefined {
  const tls = run.client.tlsSocket;
  if (!tls) return undefined;
  if (type === 'tls-unique') return tls.getFinished();
  // RFC 9266: no context at all (Node's typings insist on one; TLS 1.2 tells "none" from "empty").
  const exportWithoutContext = tls.exportKeyingMaterial.bind(tls) as (
    length: number,
    label: string,
  ) => Buffer;
  return exportWithoutContext(32, 'EXPORTER-Channel-Binding');
}

const b64 = (s: string) => (s ? Buffer.from(s).toString('base64') : '=');

/** One SASL exchange with one mechanism; throws SaslFailure when it fails. */
// eslint-disable-next-line max-lines-per-function -- one sequence read top to bottom; to be split (docs/architecture.md, Long functions)
async function exchange(
  run: LoginRun,
  settings: XmppSettings,
  keys: ScramKeyCache,
  candidate: Candidate,
): Promise<void> {
  const { client } = run;
  let initial: string;
  let scram: ScramClient | undefined;
  if (candidate.kind === 'plain') {
    initial = `\0${settings.jid.local}\0${settings.password}`;
  } else {
    const binding = candidate.binding ?? { flag: 'n' };
    let channel: ConstructorParameters<typeof ScramClient>[0]['binding'] = {
      flag: binding.flag === 'p' ? 'n' : binding.flag,
    };
    if (binding.flag === 'p') {
      const data = bindingData(run, binding.type);
      if (!data)
        throw new SaslFailure(
          'channel-binding-unavailable',
          `no ${binding.type} data for this TLS session`,
        );
      channel = { flag: 'p', type: binding.type, data };
    }
    scram = new ScramClient({
      hash: candidate.hash ?? 'sha1',
      username: settings.jid.local,
      password: settings.password,
      binding: channel,
      keys,
    });
    initial = scram.clientFirst();
  }
  const isSasl = (el: Element) =>
    el.getNS() === NS.sasl && ['challenge', 'success', 'failure'].includes(el.name);
  let answer = run.next(isSasl);
  await run.wait(
    client.sendElement(xml('auth', { xmlns: NS.sasl, mechanism: candidate.name }, b64(initial))),
  );
  let verified = false;
  for (let round = 0; round < 4; round++) {
    const el = await run.wait(answer);
    const data = el.text().trim();
    const decoded = data && data !== '=' ? Buffer.from(data, 'base64').toString('utf8') : '';
    if (el.name === 'failure') {
      const { condition, text } = readCondition(el, NS.sasl);
      throw new SaslFailure(condition, text);
    }
    try {
      if (el.name === 'success') {
        if (scram && !verified) {
          if (!decoded)
            throw new ScramError(
              'server-signature-mismatch',
              'the server sent no signature with its success',
            );
          scram.verifyServerFinal(decoded);
        }
        return;
      }
      // A challenge: the server-first message, or (some servers) the server-final one.
      let response = '';
      if (scram && round === 0) response = await scram.clientFinal(decoded);
      else if (scram) {
        scram.verifyServerFinal(decoded);
        verified = true;
      }
      answer = run.next(isSasl);
      await run.wait(client.sendElement(xml('response', { xmlns: NS.sasl }, b64(response))));
    } catch (e) {
      if (!(e instanceof ScramError)) throw e;
      const impostor = e.kind === 'server-signature-mismatch';
      if (!impostor) {
        // Abort this exchange properly so the server accepts another mechanism.
        const aborted = run.next(isSasl);
        await run.wait(client.sendElement(xml('abort', { xmlns: NS.sasl })));
        await run.wait(aborted);
      }
      throw new SaslFailure(
        impostor ? 'server-signature-invalid' : 'invalid-server-message',
        e.message,
        e.kind,
        impostor,
      );
    }
  }
  throw new SaslFailure('too-many-rounds', 'the server kept challenging');
}
