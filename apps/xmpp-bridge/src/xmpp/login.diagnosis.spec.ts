import { describe, expect, it } from '@jest/globals';
import { diagnose, type DiagnosisContext, printableBytes } from './login.diagnosis.js';

const ctx: DiagnosisContext = {
  jid: 'bridge@agents.example',
  domain: 'agents.example',
  host: 'xmpp.example',
  port: 5222,
  tls: 'starttls',
  timeoutMs: 30_000,
};

describe(diagnose.name, () => {
  it('names the phase, what was said and a hint, on one line', () => {
    const f = diagnose(
      'sasl',
      {
        type: 'sasl',
        offered: ['SCRAM-SHA-1'],
        skipped: [],
        attempts: [
          {
            mechanism: 'SCRAM-SHA-1',
            ok: false,
            condition: 'not-authorized',
            text: 'Invalid\npassword.',
          },
        ],
      },
      123.4,
      ctx,
    );
    expect(f).toMatchObject({ phase: 'sasl', kind: 'auth-failed', elapsedMs: 123 });
    expect(f.line).toBe(
      'XMPP login of bridge@agents.example failed in phase sasl after 123 ms: tried SCRAM-SHA-1 → not-authorized "Invalid password." — hint: wrong AZTM_PASSWORD, or no account bridge@agents.example on the server',
    );
  });

  it('tells wrong ports apart from unreachable hosts and untrusted certificates', () => {
    const kind = (
      phase: Parameters<typeof diagnose>[0],
      cause: Parameters<typeof diagnose>[1],
      c = ctx,
    ) => diagnose(phase, cause, 1, c).kind;
    expect(
      kind('resolve', { type: 'socket', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND x' }),
    ).toBe('host-not-found');
    expect(kind('connect', { type: 'socket', code: 'ECONNREFUSED', message: 'refused' })).toBe(
      'connection-refused',
    );
    expect(kind('connect', { type: 'timeout', ms: 30_000 })).toBe('host-unreachable');
    expect(
      kind(
        'tls',
        {
          type: 'socket',
          code: 'ERR_SSL_WRONG_VERSION_NUMBER',
          message: 'x:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:f.c:350:\n',
        },
        { ...ctx, tls: 'direct' },
      ),
    ).toBe('wrong-port-plaintext');
    expect(kind('stream', { type: 'closed', bytesReceived: 7, tlsRecord: true })).toBe(
      'wrong-port-direct-tls',
    );
    expect(kind('stream', { type: 'socket', code: 'ECONNRESET', message: 'read ECONNRESET' })).toBe(
      'wrong-port-direct-tls',
    );
    expect(
      kind('tls', {
        type: 'socket',
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        message: 'unable to verify the first certificate',
      }),
    ).toBe('certificate-untrusted');
    expect(
      kind('tls', { type: 'socket', code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'altname' }),
    ).toBe('certificate-name-mismatch');
    expect(kind('stream', { type: 'stream-error', error: { condition: 'host-unknown' } })).toBe(
      'unknown-domain',
    );
  });

  it('judges a socket error by its code alone when the code says it, in any phase', () => {
    const socket = (phase: Parameters<typeof diagnose>[0], code: string) =>
      diagnose(phase, { type: 'socket', code, message: `failed ${code}` }, 1, ctx);
    for (const phase of ['resolve', 'connect', 'tls', 'stream'] as const) {
      expect(socket(phase, 'EAI_AGAIN')).toMatchObject({
        kind: 'host-not-found',
        said: 'EAI_AGAIN (failed EAI_AGAIN)',
        hint: 'the host name "xmpp.example" does not resolve: check AZTM_HOST (or XMPP_HOST) and DNS',
      });
      expect(socket(phase, 'EHOSTDOWN')).toMatchObject({
        kind: 'host-unreachable',
        hint: 'xmpp.example:5222 is unreachable: wrong address, a firewall, or the server is down',
      });
      expect(socket(phase, 'CERT_SIGNATURE_FAILURE').kind).toBe('certificate-untrusted');
      expect(socket(phase, 'CERT_NOT_YET_VALID').kind).toBe('certificate-expired');
    }
    expect(socket('connect', 'ECONNREFUSED').hint).toBe(
      'nothing listens on xmpp.example:5222: check AZTM_PORT (5222 for STARTTLS, 5223 for direct TLS) and that the server runs',
    );
    expect(socket('tls', 'ERR_TLS_CERT_ALTNAME_INVALID').hint).toBe(
      'the server certificate does not name "agents.example": check AZTM_DOMAIN, or the server\'s certificate',
    );
    // Codes no row names fall through to the phase's own rules.
    expect(socket('tls', 'ESOMETHING').kind).toBe('tls-failed');
    expect(socket('connect', 'ESOMETHING').kind).toBe('network-error');
  });

  it('reports policy violations at bind, impostors, and mechanisms the bridge may not use', () => {
    const bind = diagnose(
      'bind',
      { type: 'stream-error', error: { condition: 'policy-violation', text: 'no bots' } },
      5,
      ctx,
    );
    expect(bind.kind).toBe('policy-violation');
    expect(bind.line).toContain('phase bind');
    expect(bind.line).toContain('policy-violation "no bots"');
    const impostor = diagnose(
      'sasl',
      {
        type: 'sasl',
        offered: [],
        skipped: [],
        impostor: true,
        attempts: [
          { mechanism: 'SCRAM-SHA-256', ok: false, condition: 'server-signature-invalid' },
        ],
      },
      5,
      ctx,
    );
    expect(impostor.kind).toBe('server-impostor');
    const none = diagnose(
      'sasl',
      {
        type: 'sasl',
        offered: ['PLAIN'],
        skipped: [{ name: 'PLAIN', why: 'never without TLS' }],
        attempts: [],
      },
      5,
      { ...ctx, tls: 'off' },
    );
    expect(none.kind).toBe('no-common-mechanism');
    expect(none.said).toContain('PLAIN (never without TLS)');
  });

  it('says a port is not XMPP when something else answers, quoting its first bytes safely', () => {
    const http = diagnose(
      'stream',
      {
        type: 'not-xmpp',
        firstBytes: Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n'),
      },
      12,
      { ...ctx, host: '127.0.0.1', port: 3000 },
    );
    expect(http.kind).toBe('not-xmpp');
    expect(http.line).toBe(
      'XMPP login of bridge@agents.example failed in phase stream after 12 ms: the server answered "HTTP/1.1 400 Bad Request\\r\\nContent-Type: …" instead of an XML stream — hint: 127.0.0.1:3000 is not an XMPP client port (it looks like an HTTP server): check AZTM_HOST and AZTM_PORT (usually 5222 for STARTTLS, 5223 for direct TLS)',
    );
    const nats = diagnose(
      'stream',
      {
        type: 'not-xmpp',
        firstBytes: Buffer.from('INFO {"server_id":"NDX","version":"2.9.10"}\r\n'),
      },
      3,
      { ...ctx, host: '127.0.0.1', port: 4222 },
    );
    expect(nats.hint).toContain('(it looks like a NATS server)');
    // An answer and then the end of the connection, before any stream header: the same verdict.
    const closed = diagnose(
      'stream',
      {
        type: 'closed',
        bytesReceived: 30,
        tlsRecord: false,
        firstBytes: Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'),
      },
      3,
      ctx,
    );
    expect(closed.kind).toBe('not-xmpp');
    expect(closed.said).toContain('and closed the connection');
    expect(closed.hint).toContain('an SSH server');
  });

  it('quotes bytes as printable ASCII, cut short, whatever they are', () => {
    expect(printableBytes(Buffer.from([0x00, 0x41, 0x0a, 0x5c, 0xff, 0x22]))).toBe(
      '\\x00A\\n\\\\\\xff"',
    );
    expect(printableBytes(Buffer.from('x'.repeat(50)), 40)).toBe(`${'x'.repeat(40)}…`);
    expect(printableBytes(Buffer.from('\u00e9\u2028'))).not.toMatch(/[^\x20-\x7e…]/);
  });

  it('reports a TCP connect that times out on its own deadline as an unreachable host', () => {
    const f = diagnose('connect', { type: 'timeout', ms: 5_000 }, 5_003, ctx);
    expect(f.kind).toBe('host-unreachable');
    expect(f.said).toBe('no TCP connection within 5000 ms');
  });
});
