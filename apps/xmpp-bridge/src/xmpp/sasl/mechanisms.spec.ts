import { describe, expect, it } from '@jest/globals';
import { orderMechanisms, shouldTryNext } from './mechanisms.js';

const names = (r: ReturnType<typeof orderMechanisms>) => r.candidates.map((c) => c.name);

describe(orderMechanisms.name, () => {
  it('puts the strongest first, each -PLUS before its plain variant, PLAIN last', () => {
    const r = orderMechanisms({
      offered: [
        'PLAIN',
        'SCRAM-SHA-1',
        'SCRAM-SHA-1-PLUS',
        'SCRAM-SHA-256',
        'SCRAM-SHA-512-PLUS',
        'SCRAM-SHA-512',
      ],
      secure: true,
      tlsVersion: 'TLSv1.2',
    });
    expect(names(r)).toEqual([
      'SCRAM-SHA-512-PLUS',
      'SCRAM-SHA-512',
      'SCRAM-SHA-256',
      'SCRAM-SHA-1-PLUS',
      'SCRAM-SHA-1',
      'PLAIN',
    ]);
    expect(r.candidates[0]!.binding).toEqual({ flag: 'p', type: 'tls-unique' });
    // The server offers -PLUS: a non-PLUS attempt says "n", never "y" (which the server would read as a downgrade).
    expect(r.candidates[1]!.binding).toEqual({ flag: 'n' });
  });

  it('never offers PLAIN (or -PLUS) without TLS', () => {
    const r = orderMechanisms({
      offered: ['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-1-PLUS'],
      secure: false,
    });
    expect(names(r)).toEqual(['SCRAM-SHA-1']);
    expect(r.skipped).toEqual([
      { name: 'SCRAM-SHA-1-PLUS', why: 'needs TLS' },
      { name: 'PLAIN', why: 'never without TLS' },
    ]);
    expect(r.candidates[0]!.binding).toEqual({ flag: 'n' });
  });

  it('uses tls-exporter on TLS 1.3 and says "y" when the server offers no -PLUS (Prosody 0.12 on TLS 1.3)', () => {
    const r = orderMechanisms({
      offered: ['SCRAM-SHA-1', 'PLAIN'],
      secure: true,
      tlsVersion: 'TLSv1.3',
    });
    expect(names(r)).toEqual(['SCRAM-SHA-1', 'PLAIN']);
    expect(r.candidates[0]!.binding).toEqual({ flag: 'y' });
  });

  it('skips -PLUS when no binding type is in common with what the server advertises (XEP-0440)', () => {
    const r = orderMechanisms({
      offered: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'],
      secure: true,
      tlsVersion: 'TLSv1.3',
      serverBindings: ['tls-unique'],
    });
    expect(names(r)).toEqual(['SCRAM-SHA-256']);
    expect(r.skipped[0]).toMatchObject({ name: 'SCRAM-SHA-256-PLUS' });
    const ok = orderMechanisms({
      offered: ['SCRAM-SHA-256-PLUS'],
      secure: true,
      tlsVersion: 'TLSv1.3',
      serverBindings: ['tls-exporter', 'tls-unique'],
    });
    expect(ok.candidates[0]!.binding).toEqual({ flag: 'p', type: 'tls-exporter' });
  });

  it('ignores mechanisms it does not implement', () => {
    expect(
      names(
        orderMechanisms({
          offered: ['DIGEST-MD5', 'X-OAUTH2', 'SCRAM-SHA-256'],
          secure: true,
          tlsVersion: 'TLSv1.3',
        }),
      ),
    ).toEqual(['SCRAM-SHA-256']);
  });
});

describe(shouldTryNext.name, () => {
  it('moves on after a failed channel binding or an unsupported mechanism', () => {
    expect(shouldTryNext({ condition: 'malformed-request' })).toBe(true);
    expect(shouldTryNext({ condition: 'invalid-mechanism' })).toBe(true);
    expect(shouldTryNext({ condition: 'mechanism-too-weak' })).toBe(true);
  });

  it('stops at wrong credentials and at a server that cannot prove the password', () => {
    expect(shouldTryNext({ condition: 'not-authorized' })).toBe(false);
    expect(shouldTryNext({ condition: 'account-disabled' })).toBe(false);
    expect(shouldTryNext({ scramKind: 'server-signature-mismatch' })).toBe(false);
  });
});
