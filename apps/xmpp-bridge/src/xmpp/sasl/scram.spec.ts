import { describe, expect, it } from '@jest/globals';
import { ScramClient, ScramError, ScramKeyCache, saslName } from './scram.js';
import { saslprep } from './saslprep.js';

const RFC7677_SERVER_FIRST =
  'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const RFC5802_SERVER_FIRST =
  'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096';

describe(ScramClient.name, () => {
  it('reproduces the SCRAM-SHA-1 example of RFC 5802 §5 and verifies its server signature', async () => {
    const sut = new ScramClient({
      hash: 'sha1',
      username: 'user',
      password: 'pencil',
      binding: { flag: 'n' },
      keys: new ScramKeyCache(),
      nonce: 'fyko+d2lbbFgONRv9qkxdawL',
    });
    expect(sut.clientFirst()).toBe('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
    expect(await sut.clientFinal(RFC5802_SERVER_FIRST)).toBe(
      'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
    );
    expect(() => sut.verifyServerFinal('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=')).not.toThrow();
  });

  it('reproduces the SCRAM-SHA-256 example of RFC 7677 §3', async () => {
    const sut = new ScramClient({
      hash: 'sha256',
      username: 'user',
      password: 'pencil',
      binding: { flag: 'n' },
      keys: new ScramKeyCache(),
      nonce: 'rOprNGfwEbeRWgbNEkqO',
    });
    expect(sut.clientFirst()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    expect(await sut.clientFinal(RFC7677_SERVER_FIRST)).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    expect(() =>
      sut.verifyServerFinal('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='),
    ).not.toThrow();
  });

  it('computes SCRAM-SHA-512 like an independent implementation (Python hashlib, same inputs as RFC 7677)', async () => {
    const sut = new ScramClient({
      hash: 'sha512',
      username: 'user',
      password: 'pencil',
      binding: { flag: 'n' },
      keys: new ScramKeyCache(),
      nonce: 'rOprNGfwEbeRWgbNEkqO',
    });
    sut.clientFirst();
    expect(await sut.clientFinal(RFC7677_SERVER_FIRST)).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ==',
    );
    expect(() =>
      sut.verifyServerFinal(
        'v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw==',
      ),
    ).not.toThrow();
  });

  it('binds the channel: the gs2 header and the binding data go into c= (and change the proof)', async () => {
    const sut = new ScramClient({
      hash: 'sha1',
      username: 'user',
      password: 'pencil',
      keys: new ScramKeyCache(),
      nonce: 'fyko+d2lbbFgONRv9qkxdawL',
      binding: {
        flag: 'p',
        type: 'tls-unique',
        data: Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
      },
    });
    expect(sut.clientFirst()).toBe('p=tls-unique,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
    expect(await sut.clientFinal(RFC5802_SERVER_FIRST)).toBe(
      'c=cD10bHMtdW5pcXVlLCwAAQIDBAUGBwgJCgs=,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=ResgVA2w6fEFiwzXkrPSGTt/RSg=',
    );
    expect(() => sut.verifyServerFinal('v=HKBeWjn99U5AvtgAjz6m1d81mhk=')).not.toThrow();
  });

  it('sends y,, when it could bind but the server offered no -PLUS mechanism', () => {
    const sut = new ScramClient({
      hash: 'sha256',
      username: 'u',
      password: 'p',
      binding: { flag: 'y' },
      keys: new ScramKeyCache(),
    });
    expect(sut.clientFirst()).toMatch(/^y,,n=u,r=/);
  });

  it('refuses a server that cannot prove it knows the password', async () => {
    const sut = new ScramClient({
      hash: 'sha256',
      username: 'user',
      password: 'pencil',
      binding: { flag: 'n' },
      keys: new ScramKeyCache(),
      nonce: 'rOprNGfwEbeRWgbNEkqO',
    });
    sut.clientFirst();
    await sut.clientFinal(RFC7677_SERVER_FIRST);
    const wrong = () => sut.verifyServerFinal('v=' + Buffer.alloc(32, 7).toString('base64'));
    expect(wrong).toThrow(ScramError);
    expect(wrong).toThrow(/server signature is wrong/);
    expect(() => sut.verifyServerFinal('x=1')).toThrow(/no signature/);
    expect(() => sut.verifyServerFinal('e=invalid-proof')).toThrow(/invalid-proof/);
  });

  it('refuses server-first messages that break the protocol', async () => {
    const make = () => {
      const c = new ScramClient({
        hash: 'sha1',
        username: 'u',
        password: 'p',
        binding: { flag: 'n' },
        keys: new ScramKeyCache(),
        nonce: 'abc',
      });
      c.clientFirst();
      return c;
    };
    await expect(make().clientFinal('r=xyz123,s=QSXCR+Q6sek8bf92,i=4096')).rejects.toThrow(/nonce/);
    await expect(make().clientFinal('r=abc,s=QSXCR+Q6sek8bf92,i=4096')).rejects.toThrow(/nonce/);
    await expect(make().clientFinal('r=abcdef,i=4096')).rejects.toThrow(/salt/);
    await expect(make().clientFinal('r=abcdef,s=QSXCR+Q6sek8bf92,i=0')).rejects.toThrow(
      /iteration/,
    );
    await expect(make().clientFinal('m=ext,r=abcdef,s=QSXCR+Q6sek8bf92,i=4096')).rejects.toThrow(
      /extension/,
    );
  });

  it('derives each salted password once per salt and iteration count', async () => {
    const keys = new ScramKeyCache();
    const salt = Buffer.from('salt');
    const a = await keys.salted('sha256', 'pencil', salt, 4096);
    expect(await keys.salted('sha256', 'pencil', salt, 4096)).toBe(a);
    expect(await keys.salted('sha256', 'pencil', salt, 4097)).not.toBe(a);
  });
});

describe('SASL names and SASLprep', () => {
  it('escapes = and , in user names', () => {
    expect(saslName('a=b,c')).toBe('a=3Db=2Cc');
  });

  it('maps non-ASCII spaces and soft hyphens, normalises with NFKC and refuses controls', () => {
    expect(saslprep('I\u00ADX')).toBe('IX');
    expect(saslprep('user\u00A0name')).toBe('user name');
    expect(saslprep('\u2168')).toBe('IX');
    expect(() => saslprep('a\u0007b')).toThrow(/prohibits/);
  });
});
