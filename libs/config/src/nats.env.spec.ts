import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { BaseEnv } from './base.env.js';
import { ConfigError, loadConfig } from './load-config.js';
import { natsConnectionSettings } from './nats.env.js';

const Schema = BaseEnv.extend({ PORT: z.coerce.number().default(3000) });
const dir = mkdtempSync(join(tmpdir(), 'sb-nats-env-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const SEED = `SU${'A'.repeat(56)}`;
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const CREDS = `-----BEGIN NATS USER JWT-----\neyJ0\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${SEED}\n------END USER NKEY SEED------\n`;

/** The problems loadConfig reports for `env`, one per line. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig('svc', Schema, env);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('NATS connection settings', () => {
  it('connects with a client certificate, a CA and an NKey seed read from files', () => {
    const config = loadConfig('svc', Schema, {
      NATS_SERVERS: 'nats://a:4222',
      NATS_TLS_CA_FILE: file('ca.pem', CERT),
      NATS_TLS_CERT_FILE: file('client.pem', CERT),
      NATS_TLS_KEY_FILE: file('client.key', KEY),
      NATS_NKEY_SEED_FILE: file('svc.nk', `${SEED}\n`),
    });
    expect(natsConnectionSettings(config)).toEqual({
      servers: ['nats://a:4222'],
      nkeySeedFile: join(dir, 'svc.nk'),
      tls: {
        caFile: join(dir, 'ca.pem'),
        certFile: join(dir, 'client.pem'),
        keyFile: join(dir, 'client.key'),
      },
    });
  });

  it('requires TLS for a tls:// server, and asks for none otherwise', () => {
    const tls = loadConfig('svc', Schema, { NATS_SERVERS: 'tls://a:4222' });
    expect(natsConnectionSettings(tls).tls).toEqual({});
    const plain = loadConfig('svc', Schema, {
      NATS_SERVERS: 'nats://a:4222',
      NATS_USER: 'gateway',
      NATS_PASSWORD: 'pw',
    });
    expect(natsConnectionSettings(plain)).toEqual({
      servers: ['nats://a:4222'],
      user: 'gateway',
      pass: 'pw',
    });
    const creds = loadConfig('svc', Schema, { NATS_CREDS_FILE: file('svc.creds', CREDS) });
    expect(natsConnectionSettings(creds).credsFile).toBe(join(dir, 'svc.creds'));
  });

  it('names a certificate given without its key, and the key without its certificate', () => {
    expect(problems({ NATS_TLS_CERT_FILE: file('c.pem', CERT) })).toEqual([
      'NATS_TLS_KEY_FILE: a client certificate and its key go together: NATS_TLS_CERT_FILE is set, NATS_TLS_KEY_FILE is missing',
    ]);
    expect(problems({ NATS_TLS_KEY_FILE: file('k.pem', KEY) })).toEqual([
      'NATS_TLS_CERT_FILE: a client certificate and its key go together: NATS_TLS_KEY_FILE is set, NATS_TLS_CERT_FILE is missing',
    ]);
  });

  it('refuses two ways to authenticate, and a password without its user, never showing either', () => {
    const found = problems({ NATS_TOKEN: 'tok-secret', NATS_NKEY_SEED_FILE: file('a.nk', SEED) });
    expect(found).toEqual([
      'NATS_TOKEN, NATS_NKEY_SEED_FILE: give one way to authenticate to NATS, not 2 (token, NKey seed)',
    ]);
    const lonely = problems({ NATS_PASSWORD: 'pw-secret' });
    expect(lonely).toEqual([
      'NATS_USER: NATS_PASSWORD is set without the user it belongs to (is missing)',
    ]);
    expect(problems({ NATS_USER: 'gateway' })).toEqual([
      'NATS_PASSWORD: NATS_USER is set without its password (is missing)',
    ]);
    expect([...found, ...lonely].join('\n')).not.toMatch(/secret/);
  });

  it('names a file that cannot be read, or holds the wrong thing, without showing its content', () => {
    const wrong = file('not-creds', 'password=hunter2\n');
    const creds = problems({ NATS_CREDS_FILE: wrong });
    expect(creds).toEqual([
      `NATS_CREDS_FILE: the file is not a NATS credentials file (a user JWT and its NKey seed, as \`nsc generate creds\` writes) (got "${wrong}")`,
    ]);
    const found = problems({
      NATS_TLS_CA_FILE: join(dir, 'missing.pem'),
      NATS_NKEY_SEED_FILE: file('bad.nk', 'SUNOTASEED'),
    });
    expect(found).toEqual([
      `NATS_NKEY_SEED_FILE: the file holds no user NKey seed (SU…) (got "${join(dir, 'bad.nk')}")`,
      `NATS_TLS_CA_FILE: cannot be read (ENOENT): give a readable file holding a PEM certificate (got "${join(dir, 'missing.pem')}")`,
    ]);
    expect(creds.join('\n')).not.toContain('hunter2');
  });

  it('reports the NATS rules together with every other problem, in one error', () => {
    expect(problems({ PORT: 'x', NATS_TLS_CERT_FILE: file('c2.pem', CERT) })).toEqual([
      expect.stringMatching(/^PORT: /),
      expect.stringMatching(/^NATS_TLS_KEY_FILE: a client certificate and its key go together/),
    ]);
  });
});
