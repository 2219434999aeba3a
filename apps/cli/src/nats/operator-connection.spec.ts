import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '@switchboard/config';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONNECTION_FLAGS, operatorConnection, workspaceRoot } from './operator-connection.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-cli-connection-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const SEED = `SU${'A'.repeat(56)}`;
const seedFile = file('user.nk', `${SEED}\n`);
const credsFile = file(
  'user.creds',
  `-----BEGIN NATS USER JWT-----\neyJ0eXAi.e30.sig\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${SEED}\n------END USER NKEY SEED------\n`,
);
const cert = file('client.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const key = file('client.key', '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n');

/** The problems a ConfigError lists, or a failure when the settings were taken. */
function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected the settings to be refused');
}

describe(operatorConnection.name, () => {
  it('takes the services’ NATS_* settings: servers, user and password, TLS', () => {
    const c = operatorConnection(
      {
        NATS_SERVERS: 'tls://nats-1:4222, tls://nats-2:4222',
        NATS_USER: 'operator',
        NATS_PASSWORD: 'secret-password',
        NATS_TLS_CA_FILE: ca,
        HOME: '/home/x',
      },
      {},
    );
    expect(c.nats).toEqual({
      servers: ['tls://nats-1:4222', 'tls://nats-2:4222'],
      user: 'operator',
      pass: 'secret-password',
      tls: { caFile: ca },
    });
    expect(c.identity).toBe('operator');
    expect(c.source).toBe('the NATS_* settings');
  });

  it('lets each flag override its setting, the password staying NATS_PASSWORD’s', () => {
    const c = operatorConnection(
      { NATS_SERVERS: 'nats://elsewhere:4222', NATS_USER: 'gateway', NATS_PASSWORD: 'admin-pw' },
      { nats: 'nats://nats:4222', 'nats-user': 'admin', 'tls-cert': cert, 'tls-key': key },
    );
    expect(c.nats).toEqual({
      servers: ['nats://nats:4222'],
      user: 'admin',
      pass: 'admin-pw',
      tls: { certFile: cert, keyFile: key },
    });
    // the identity named by the user: its inboxes are the ones it may read
    expect(c.identity).toBe('admin');
    expect(Object.values(CONNECTION_FLAGS).map((f) => f.env)).toEqual([
      'NATS_SERVERS',
      'NATS_USER',
      'NATS_CREDS_FILE',
      'NATS_NKEY_SEED_FILE',
      'NATS_TLS_CA_FILE',
      'NATS_TLS_CERT_FILE',
      'NATS_TLS_KEY_FILE',
    ]);
  });

  it('authenticates with a credentials file or an NKey seed, connecting as the identity asked for', () => {
    const creds = operatorConnection({}, { nats: 'nats://n:4222', creds: credsFile }, 'admin');
    expect(creds.nats).toEqual({ servers: ['nats://n:4222'], credsFile });
    expect(creds.identity).toBe('admin');
    const nkey = operatorConnection({ NATS_NKEY_SEED_FILE: seedFile }, {});
    expect(nkey.nats).toEqual({ servers: ['nats://127.0.0.1:4222'], nkeySeedFile: seedFile });
    expect(nkey.identity).toBe('operator');
    // a NATS_USER that is no identity of the platform (an operator's own user) changes nothing
    const own = operatorConnection({ NATS_USER: 'alice', NATS_PASSWORD: 'pw' }, {}, 'admin');
    expect(own.identity).toBe('admin');
  });

  it('refuses settings that do not hold together, naming each problem and no secret', () => {
    const problems = problemsOf(() =>
      operatorConnection({ NATS_PASSWORD: 'hunter2-secret' }, { 'tls-cert': cert, nkey: seedFile }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^NATS_TLS_KEY_FILE: a client certificate and its key go together/),
        expect.stringMatching(/^NATS_USER: NATS_PASSWORD is set without the user/),
      ]),
    );
    expect(problems.join('\n')).not.toContain('hunter2-secret');
    expect(problemsOf(() => operatorConnection({}, { nkey: cert }))).toEqual([
      expect.stringMatching(/^NATS_NKEY_SEED_FILE: the file holds no user NKey seed/),
    ]);
    expect(problemsOf(() => operatorConnection({}, { nats: 'http://x' }))).toEqual([
      expect.stringMatching(/^NATS_SERVERS\.0: must be nats:\/\/host:port/),
    ]);
    expect(
      problemsOf(() => operatorConnection({}, { 'nats-user': 'admin', creds: credsFile })).join(
        '\n',
      ),
    ).toMatch(/NATS_PASSWORD/);
  });

  it('with no setting at all, reaches the local stack as the identity the command needs', () => {
    const run = join(dir, 'run');
    mkdirSync(join(run, 'nats'), { recursive: true });
    writeFileSync(
      join(run, 'nats', 'operator.env'),
      `NATS_SERVERS=nats://127.0.0.1:4322\nNATS_NKEY_SEED_FILE=${seedFile}\n`,
    );
    writeFileSync(
      join(run, 'nats', 'admin.env'),
      `NATS_SERVERS=nats://127.0.0.1:4322\nNATS_NKEY_SEED_FILE=${seedFile}\n`,
    );
    const operator = operatorConnection({ SB_RUN_DIR: run }, {}, 'operator');
    expect(operator.nats).toEqual({ servers: ['nats://127.0.0.1:4322'], nkeySeedFile: seedFile });
    expect(operator.identity).toBe('operator');
    expect(operator.source).toBe(
      `the local stack's NATS, as operator (${join(run, 'nats', 'operator.env')})`,
    );
    const admin = operatorConnection({ SB_RUN_DIR: run }, {}, 'admin');
    expect(admin.identity).toBe('admin');
    expect(admin.source).toContain('admin.env');
    // relative to the workspace root
    const relative = operatorConnection({ SB_RUN_DIR: 'run' }, {}, 'operator', dir);
    expect(relative.source).toContain(join(dir, 'run', 'nats', 'operator.env'));
    // nothing there: the default server
    const none = operatorConnection({ SB_RUN_DIR: join(dir, 'nothing') }, {});
    expect(none.nats).toEqual({ servers: ['nats://127.0.0.1:4222'] });
    expect(none.source).toBe('the default NATS server');
  });
});

describe(workspaceRoot.name, () => {
  it('finds the checkout (or image) root above a file, and nothing outside one', () => {
    const root = workspaceRoot();
    expect(root).toBeDefined();
    expect(workspaceRoot(join(root!, 'apps', 'cli', 'src'))).toBe(root);
    expect(workspaceRoot(dir)).toBeUndefined();
  });
});
