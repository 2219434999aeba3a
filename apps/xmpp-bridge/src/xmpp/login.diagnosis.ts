import type { Xmpp } from '@switchboard/contracts';
import type { LoginCause, XmppCondition } from './login.errors.js';

/** What the diagnosis needs to know about the attempt (never the password). */
export interface DiagnosisContext {
  jid: string;
  domain: string;
  host: string;
  port: number;
  tls: 'starttls' | 'direct' | 'off';
  timeoutMs: number;
}

const PLAINTEXT_ANSWER =
  /wrong version number|packet length too long|http request|unknown protocol|record layer failure/i;

function condition(e: XmppCondition): string {
  return e.text ? `${e.condition} "${e.text}"` : e.condition;
}

interface Verdict {
  kind: string;
  said: string;
  hint: string;
}

/** Up to `max` bytes as printable ASCII (`\r`, `\n`, `\xNN` for the rest), `…` when cut: safe in one log line. */
export function printableBytes(bytes: Buffer, max = 40): string {
  let out = '';
  for (const b of bytes.subarray(0, max)) {
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > max ? `${out}…` : out;
}

/** What kind of server greets (or answers) like this, for the hint. */
function recognise(bytes: Buffer): string | undefined {
  const head = bytes.toString('latin1').trimStart();
  if (/^HTTP\/\d/.test(head)) return 'an HTTP server';
  if (/^INFO \{/.test(head)) return 'a NATS server';
  if (/^SSH-\d/.test(head)) return 'an SSH server';
  if (/^-ERR /.test(head)) return 'a Redis server';
  if (/^220[ -]/.test(head)) return 'an SMTP or FTP server';
  if (/^\* OK/.test(head)) return 'an IMAP server';
  if (/^<(!doctype )?html/i.test(head)) return 'a web server';
  return undefined;
}

function notXmppVerdict(bytes: Buffer, ctx: DiagnosisContext, closed: boolean): Verdict {
  const looks = recognise(bytes);
  return {
    kind: 'not-xmpp',
    said: `the server answered "${printableBytes(bytes)}" instead of an XML stream${closed ? ' and closed the connection' : ''}`,
    hint: `${ctx.host}:${ctx.port} is not an XMPP client port${looks ? ` (it looks like ${looks})` : ''}: check AZTM_HOST and AZTM_PORT (usually 5222 for STARTTLS, 5223 for direct TLS)`,
  };
}

/** OpenSSL's `…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:file:line:` → the reason. */
function tidy(message: string): string {
  const openssl = /error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+):/.exec(message);
  return (openssl?.[1] ?? message).replace(/\s+/g, ' ').trim();
}

/** A socket error whose code alone says what went wrong, whatever the phase: its verdict. */
interface CodeVerdict {
  codes: readonly string[];
  kind: string;
  /** `where` is the server's host:port. */
  hint: (ctx: DiagnosisContext, where: string) => string;
}

/** The socket errors told apart by their code alone (the others depend on the phase as well). */
const BY_CODE: readonly CodeVerdict[] = [
  {
    codes: ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL'],
    kind: 'host-not-found',
    hint: (ctx) =>
      `the host name "${ctx.host}" does not resolve: check AZTM_HOST (or XMPP_HOST) and DNS`,
  },
  {
    codes: ['ECONNREFUSED'],
    kind: 'connection-refused',
    hint: (_, where) =>
      `nothing listens on ${where}: check AZTM_PORT (5222 for STARTTLS, 5223 for direct TLS) and that the server runs`,
  },
  {
    codes: ['EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EHOSTDOWN'],
    kind: 'host-unreachable',
    hint: (_, where) => `${where} is unreachable: wrong address, a firewall, or the server is down`,
  },
  {
    codes: [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'CERT_UNTRUSTED',
      'CERT_SIGNATURE_FAILURE',
    ],
    kind: 'certificate-untrusted',
    hint: () =>
      'the server certificate is not signed by a trusted CA: set XMPP_BRIDGE_CA_FILE to its CA (or NODE_EXTRA_CA_CERTS); AZTM_VALIDATE_CERT=false only for a throwaway test server',
  },
  {
    codes: ['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'],
    kind: 'certificate-expired',
    hint: () =>
      'the server certificate is outside its validity period: renew it (or check the clock)',
  },
  {
    codes: ['ERR_TLS_CERT_ALTNAME_INVALID'],
    kind: 'certificate-name-mismatch',
    hint: (ctx) =>
      `the server certificate does not name "${ctx.domain}": check AZTM_DOMAIN, or the server's certificate`,
  },
];

function socketVerdict(
  phase: Xmpp.LoginPhase,
  code: string | undefined,
  rawMessage: string,
  ctx: DiagnosisContext,
): Verdict {
  const message = tidy(rawMessage);
  const said = code ? `${code} (${message})` : message;
  const where = `${ctx.host}:${ctx.port}`;
  const known = code === undefined ? undefined : BY_CODE.find((v) => v.codes.includes(code));
  if (known) return { kind: known.kind, said, hint: known.hint(ctx, where) };
  if (
    phase === 'tls' &&
    (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || PLAINTEXT_ANSWER.test(message))
  ) {
    return {
      kind: 'wrong-port-plaintext',
      said,
      hint: `${where} answered in plaintext, not TLS: it is a STARTTLS port; use AZTM_TLS=starttls there, or the direct-TLS port (usually 5223)`,
    };
  }
  if ((code === 'ECONNRESET' || code === 'EPIPE') && phase === 'stream' && ctx.tls !== 'direct') {
    return {
      kind: 'wrong-port-direct-tls',
      said,
      hint: `${where} reset the connection when the XML stream opened: it probably expects direct TLS; use AZTM_TLS=direct, or the STARTTLS port (usually 5222)`,
    };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return {
      kind: 'connection-reset',
      said,
      hint: `${where} dropped the connection during ${phase}: check the server's logs and limits`,
    };
  }
  if (phase === 'tls')
    return {
      kind: 'tls-failed',
      said,
      hint: "the TLS handshake failed: check AZTM_TLS, the port and the server's TLS settings",
    };
  return { kind: 'network-error', said, hint: `the connection to ${where} failed during ${phase}` };
}

function streamVerdict(
  phase: Xmpp.LoginPhase,
  e: XmppCondition,
  seeOtherHost: string | undefined,
  ctx: DiagnosisContext,
): Verdict {
  const said = `stream error ${condition(e)}`;
  switch (e.condition) {
    case 'host-unknown':
    case 'improper-addressing':
      return {
        kind: 'unknown-domain',
        said,
        hint: `the server does not serve the domain "${ctx.domain}": check AZTM_DOMAIN and the JID`,
      };
    case 'policy-violation':
      return {
        kind: 'policy-violation',
        said,
        hint: `the server's policy refused this session during ${phase} (limits, resource or account restrictions): ask the XMPP administrator; retrying will not help`,
      };
    case 'see-other-host':
      return {
        kind: 'redirected',
        said,
        hint: `the server redirects clients to ${seeOtherHost ?? 'another host'}: set AZTM_HOST/AZTM_PORT to it`,
      };
    case 'not-authorized':
      return {
        kind: 'auth-failed',
        said,
        hint: `the server closed the stream as not authorized: check AZTM_JID and AZTM_PASSWORD`,
      };
    case 'conflict':
      return {
        kind: 'session-conflict',
        said,
        hint: 'another session took over this resource: give each bridge its own XMPP_BRIDGE_RESOURCE',
      };
    case 'connection-timeout':
      return {
        kind: 'server-timeout',
        said,
        hint: `the server gave up waiting during ${phase}: the network or the server is very slow`,
      };
    case 'system-shutdown':
      return {
        kind: 'server-shutdown',
        said,
        hint: 'the server is shutting down: the bridge retries with backoff',
      };
    case 'not-well-formed':
    case 'bad-format':
      return ctx.tls === 'direct' && phase === 'tls'
        ? {
            kind: 'wrong-port-plaintext',
            said,
            hint: 'the port speaks plaintext XMPP: use AZTM_TLS=starttls there, or the direct-TLS port (usually 5223)',
          }
        : {
            kind: 'protocol-error',
            said,
            hint: 'the server could not read what we sent: a proxy or a non-XMPP service on this port?',
          };
    default:
      return { kind: 'stream-error', said, hint: `the server ended the stream during ${phase}` };
  }
}

function saslVerdict(cause: Extract<LoginCause, { type: 'sasl' }>, ctx: DiagnosisContext): Verdict {
  const tried = cause.attempts.map((a) =>
    a.ok
      ? `${a.mechanism} ok`
      : `${a.mechanism} → ${a.condition ?? 'failed'}${a.text ? ` "${a.text}"` : ''}`,
  );
  if (cause.attempts.length === 0) {
    const skipped = cause.skipped.map((s) => `${s.name} (${s.why})`).join(', ');
    return {
      kind: 'no-common-mechanism',
      said: `server offers ${cause.offered.join(', ') || 'no mechanism'}${skipped ? `; not usable: ${skipped}` : ''}`,
      hint:
        ctx.tls === 'off'
          ? 'without TLS only SCRAM is allowed and the server offers none: enable TLS (AZTM_TLS=starttls or direct)'
          : 'the server offers no SASL mechanism the bridge supports (SCRAM-SHA-512/256/1 (-PLUS), PLAIN over TLS)',
    };
  }
  const last = cause.attempts[cause.attempts.length - 1] ?? { mechanism: '', ok: false };
  const said = `tried ${tried.join(', ')}`;
  if (cause.impostor) {
    return {
      kind: 'server-impostor',
      said,
      hint: 'the server could not prove it knows the password (wrong SCRAM signature): possible impersonation; the bridge did not fall back to weaker mechanisms',
    };
  }
  if (last.condition === 'not-authorized') {
    return {
      kind: 'auth-failed',
      said,
      hint: `wrong AZTM_PASSWORD, or no account ${ctx.jid} on the server`,
    };
  }
  if (last.condition === 'account-disabled')
    return {
      kind: 'account-disabled',
      said,
      hint: `the account ${ctx.jid} is disabled: ask the XMPP administrator`,
    };
  if (last.condition === 'credentials-expired')
    return { kind: 'credentials-expired', said, hint: 'the password has expired: set a new one' };
  if (last.condition === 'temporary-auth-failure')
    return {
      kind: 'auth-unavailable',
      said,
      hint: 'the server could not check the password right now: the bridge retries with backoff',
    };
  return {
    kind: 'sasl-failed',
    said,
    hint: 'every mechanism the server offered failed: see the server log for why',
  };
}

function bindVerdict(phase: Xmpp.LoginPhase, e: XmppCondition): Verdict {
  const said = `${phase === 'bind' ? 'bind' : 'session'} refused: ${condition(e)}`;
  if (
    e.condition === 'policy-violation' ||
    e.condition === 'not-allowed' ||
    e.condition === 'forbidden'
  ) {
    return {
      kind: 'policy-violation',
      said,
      hint: `the server's policy refused the ${phase === 'bind' ? 'resource binding' : 'session'}: ask the XMPP administrator; retrying will not help`,
    };
  }
  if (e.condition === 'resource-constraint') {
    return {
      kind: 'too-many-sessions',
      said,
      hint: 'the account has too many sessions: stop stale bridges or raise the server limit',
    };
  }
  if (e.condition === 'conflict')
    return {
      kind: 'resource-conflict',
      said,
      hint: 'the resource is taken: give each bridge its own XMPP_BRIDGE_RESOURCE',
    };
  return { kind: `${phase}-failed`, said, hint: `the server refused ${phase}` };
}

function verdict(phase: Xmpp.LoginPhase, cause: LoginCause, ctx: DiagnosisContext): Verdict {
  switch (cause.type) {
    case 'socket':
      return socketVerdict(phase, cause.code, cause.message, ctx);
    case 'stream-error':
      return streamVerdict(phase, cause.error, cause.seeOtherHost, ctx);
    case 'sasl':
      return saslVerdict(cause, ctx);
    case 'stanza-error':
      return bindVerdict(phase, cause.error);
    case 'timeout':
      if (phase === 'connect') {
        return {
          kind: 'host-unreachable',
          said: `no TCP connection within ${cause.ms} ms`,
          hint: `${ctx.host}:${ctx.port} does not answer (packets dropped): wrong address or a firewall`,
        };
      }
      return {
        kind: 'timeout',
        said: `no answer within ${cause.ms} ms`,
        hint:
          phase === 'tls' || phase === 'stream'
            ? `the server at ${ctx.host}:${ctx.port} stays silent during ${phase}: is it an XMPP port${ctx.tls === 'direct' ? ' speaking direct TLS' : ''}?`
            : `the server stopped answering during ${phase}: check its load and logs (AZTM_XMPP_TIMEOUT is ${ctx.timeoutMs / 1000} s)`,
      };
    case 'not-xmpp':
      return notXmppVerdict(cause.firstBytes, ctx, false);
    case 'closed':
      if (cause.firstBytes && !cause.tlsRecord && cause.firstBytes.length > 0)
        return notXmppVerdict(cause.firstBytes, ctx, true);
      if (cause.tlsRecord) {
        return {
          kind: 'wrong-port-direct-tls',
          said: 'the server answered with a TLS record and closed the connection',
          hint: `${ctx.host}:${ctx.port} speaks direct TLS: use AZTM_TLS=direct, or the STARTTLS port (usually 5222)`,
        };
      }
      return {
        kind: phase === 'stream' && cause.bytesReceived === 0 ? 'no-stream' : 'connection-closed',
        said: `the server closed the connection${cause.bytesReceived === 0 ? ' without a word' : ''}`,
        hint:
          phase === 'stream' && cause.bytesReceived === 0
            ? `${ctx.host}:${ctx.port} closed before opening an XML stream: not an XMPP client port${ctx.tls !== 'direct' ? ', or it expects direct TLS (AZTM_TLS=direct)' : ''}`
            : `the server closed the connection during ${phase}: see its log`,
      };
    case 'xml':
      return {
        kind: 'not-xmpp',
        said: `unreadable answer (${cause.message})`,
        hint: `${ctx.host}:${ctx.port} does not speak XMPP${ctx.tls !== 'direct' ? ' in plaintext: it may expect direct TLS (AZTM_TLS=direct)' : ''}`,
      };
    case 'refused':
      return { kind: cause.kind, said: cause.said, hint: cause.hint };
  }
}

/** Turns a failed step into the one-line diagnosis: phase, what was said, a hint. */
export function diagnose(
  phase: Xmpp.LoginPhase,
  cause: LoginCause,
  elapsedMs: number,
  ctx: DiagnosisContext,
): Xmpp.LoginFailure {
  const v = verdict(phase, cause, ctx);
  const ms = Math.round(elapsedMs);
  // One line, whatever the server put in its texts.
  const line =
    `XMPP login of ${ctx.jid} failed in phase ${phase} after ${ms} ms: ${v.said} — hint: ${v.hint}`.replace(
      /\s*[\r\n]+\s*/g,
      ' ',
    );
  return { phase, kind: v.kind, said: v.said, hint: v.hint, elapsedMs: ms, line };
}
