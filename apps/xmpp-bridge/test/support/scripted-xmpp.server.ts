// A scripted XMPP server over direct TLS, for the login failures no stock Prosody configuration
// produces: a -PLUS mechanism whose channel binding the server rejects ("Invalid channel binding"),
// SCRAM-SHA-512 (Prosody 0.12 has none), a wrong SCRAM server signature (an impostor), and a policy
// violation at resource binding — and the hardest login, which chains them: -PLUS rejected, fallback
// to SCRAM-SHA-512, then the policy violation at bind. Its SCRAM side is a real server
// implementation (RFC 5802) checking the client's proof against the account's password.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { Element } from '@xmpp/xml';
import { XmppStreamParser } from '../../src/xmpp/stream.parser.js';

export interface Script {
  domain: string;
  user: string;
  password: string;
  mechanisms: string[];
  /** -PLUS attempts fail as Prosody fails a wrong binding value. */
  rejectChannelBinding?: boolean;
  /** The server-final message carries a signature made with the wrong key. */
  wrongServerSignature?: boolean;
  /** At resource binding: a stream error (`policy-violation`) instead of a bound JID. */
  bindPolicyViolation?: string;
}

export interface ScriptedServer {
  port: number;
  /** Every <auth mechanism=…> received, in order (PLAIN must never follow an impostor). */
  auths: string[];
  close(): Promise<void>;
}

const HASHES: Record<string, 'sha1' | 'sha256' | 'sha512'> = {
  'SCRAM-SHA-1': 'sha1',
  'SCRAM-SHA-256': 'sha256',
  'SCRAM-SHA-512': 'sha512',
};
const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';

const header = (domain: string) =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='${domain}' id='${randomBytes(6).toString('hex')}' version='1.0'>`;

export async function startScriptedServer(
  certDir: string,
  script: Script,
): Promise<ScriptedServer> {
  const auths: string[] = [];
  const server: Server = createServer(
    {
      cert: readFileSync(join(certDir, 'server.crt')),
      key: readFileSync(join(certDir, 'server.key')),
    },
    (socket: TLSSocket) => serve(socket, script, auths),
  );
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
  return { port, auths, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function serve(socket: TLSSocket, script: Script, auths: string[]): void {
  let authenticated = false;
  let scram:
    | {
        hash: 'sha1' | 'sha256' | 'sha512';
        clientFirstBare: string;
        serverFirst: string;
        gs2: string;
      }
    | undefined;
  let parser = newParser();
  socket.on('data', (data: Buffer) => parser.write(data));
  socket.on('error', () => undefined);
  const send = (s: string) => socket.write(s);

  function newParser(): XmppStreamParser {
    const p = new XmppStreamParser();
    p.on('start', () => {
      send(header(script.domain));
      send(
        authenticated
          ? `<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>`
          : `<stream:features><mechanisms xmlns='${NS_SASL}'>${script.mechanisms.map((m) => `<mechanism>${m}</mechanism>`).join('')}</mechanisms></stream:features>`,
      );
    });
    p.on('element', (el: Element) => onElement(el));
    return p;
  }

  function fail(condition: string, text?: string): void {
    scram = undefined;
    send(
      `<failure xmlns='${NS_SASL}'><${condition}/>${text ? `<text>${text}</text>` : ''}</failure>`,
    );
  }

  function onElement(el: Element): void {
    if (el.name === 'auth') {
      const mechanism = el.attrs['mechanism'] ?? '';
      auths.push(mechanism);
      if (mechanism.endsWith('-PLUS') && script.rejectChannelBinding)
        return fail('malformed-request', 'Invalid channel binding value.');
      const hash = HASHES[mechanism.replace(/-PLUS$/, '')];
      if (!hash) return fail('invalid-mechanism');
      const clientFirst = Buffer.from(el.text(), 'base64').toString();
      const [cbflag = '', , ...rest] = clientFirst.split(',');
      const clientFirstBare = rest.join(',');
      const cnonce = /r=([^,]+)/.exec(clientFirstBare)?.[1] ?? '';
      const serverFirst = `r=${cnonce}${randomBytes(12).toString('base64')},s=${Buffer.from('scripted-salt').toString('base64')},i=4096`;
      scram = { hash, clientFirstBare, serverFirst, gs2: `${cbflag},,` };
      send(
        `<challenge xmlns='${NS_SASL}'>${Buffer.from(serverFirst).toString('base64')}</challenge>`,
      );
      return;
    }
    if (el.name === 'response' && scram) {
      const clientFinal = Buffer.from(el.text(), 'base64').toString();
      const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(',p='));
      const proof = Buffer.from(clientFinal.slice(clientFinal.lastIndexOf(',p=') + 3), 'base64');
      const { hash, clientFirstBare, serverFirst } = scram;
      const salted = pbkdf2Sync(
        script.password,
        Buffer.from('scripted-salt'),
        4096,
        { sha1: 20, sha256: 32, sha512: 64 }[hash],
        hash,
      );
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const clientKey = createHmac(hash, salted).update('Client Key').digest();
      const signature = createHmac(hash, createHash(hash).update(clientKey).digest())
        .update(authMessage)
        .digest();
      const expected = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0)));
      if (!expected.equals(proof)) return fail('not-authorized', 'Invalid password.');
      const serverKey = createHmac(
        hash,
        script.wrongServerSignature ? Buffer.from('not the password') : salted,
      )
        .update('Server Key')
        .digest();
      const v = createHmac(hash, serverKey).update(authMessage).digest().toString('base64');
      authenticated = true;
      parser = newParser();
      send(`<success xmlns='${NS_SASL}'>${Buffer.from(`v=${v}`).toString('base64')}</success>`);
      return;
    }
    if (el.name === 'abort') return fail('aborted');
    if (el.name === 'iq' && el.getChild('bind')) {
      if (script.bindPolicyViolation) {
        send(
          `<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>${script.bindPolicyViolation}</text></stream:error></stream:stream>`,
        );
        socket.end();
        return;
      }
      send(
        `<iq type='result' id='${el.attrs['id'] ?? ''}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>${script.user}@${script.domain}/r</jid></bind></iq>`,
      );
    }
  }
}
