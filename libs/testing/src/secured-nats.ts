import { connect, type NatsConnection, nkeys } from '@nats-io/transport-node';
import {
  NATS_IDENTITIES,
  type NatsIdentity,
  natsPermissions,
  type NatsUserAuth,
  renderNatsAuthorization,
} from '@switchboard/contracts';
import {
  type BusMessage,
  type BusSubscription,
  IGNORED_FAILURES,
  natsConnectionOptions,
  type NatsSettings,
  TrafficTap,
} from '@switchboard/messaging';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PrivateNats, startPrivateNats } from './nats-server.js';
import { tempDir } from './processes.js';

/** How a test process (or a service started by a test) connects as one identity. */
export interface NatsAccess {
  identity: NatsIdentity;
  /** The settings as NatsBus and natsConnectionOptions take them. */
  nats: NatsSettings;
  /** The same as environment variables, for a service process (NATS_SERVERS included). */
  env: Record<string, string>;
}

export interface SecuredNats extends PrivateNats {
  /** Every identity of the platform, each with its own credentials. */
  identities: Record<NatsIdentity, NatsAccess>;
  configFile: string;
  /** With `tls`: the CA that signed the server, and a client certificate it accepts. */
  tls?: { caFile: string; certFile: string; keyFile: string };
  /** The permission violations the server logged so far, one line each. */
  violations(): string[];
  /** Tenant operators asked for (docs/tenancy.md), by tenant id: user `operator-<tenant>`. */
  tenantOperators: Record<string, NatsSettings>;
}

const SECRET_FILE = 0o600;

function writeSecret(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text, { mode: SECRET_FILE });
  chmodSync(file, SECRET_FILE);
  return file;
}

/**
 * A private nats-server that enforces the platform's NATS permissions: one user per identity (the
 * rendered `authorization` of libs/contracts), authenticated by NKey (default) or password, optionally
 * over TLS with client certificates required. Anything without credentials is refused.
 */
export async function startSecuredNats(
  opts: {
    binary?: string;
    auth?: 'nkey' | 'password';
    tls?: boolean;
    /** Tenants that get an operator identity reading only their task events and audit records. */
    tenantOperators?: readonly string[];
  } = {},
): Promise<SecuredNats> {
  const dir = tempDir('nats-secured');
  const auth: Partial<Record<NatsIdentity, NatsUserAuth>> = {};
  const credentials: Record<string, Pick<NatsSettings, 'user' | 'pass' | 'nkeySeedFile'>> = {};
  for (const identity of NATS_IDENTITIES) {
    if (opts.auth === 'password') {
      const pass = randomBytes(18).toString('base64url');
      auth[identity] = { password: pass };
      credentials[identity] = { user: identity, pass };
    } else {
      const user = nkeys.createUser();
      auth[identity] = { nkey: user.getPublicKey() };
      const seed = new TextDecoder().decode(user.getSeed());
      credentials[identity] = { nkeySeedFile: writeSecret(dir, `${identity}.nk`, `${seed}\n`) };
    }
  }
  const tenantAuth: Record<string, NatsUserAuth> = {};
  const tenantSeeds: Record<string, string> = {};
  for (const tenant of opts.tenantOperators ?? []) {
    const user = nkeys.createUser();
    tenantAuth[tenant] = { nkey: user.getPublicKey() };
    const seed = new TextDecoder().decode(user.getSeed());
    tenantSeeds[tenant] = writeSecret(dir, `operator-${tenant}.nk`, `${seed}\n`);
  }
  const tls = opts.tls ? makeCertificates(dir) : undefined;
  const tlsBlock = tls
    ? `tls {\n  cert_file: ${JSON.stringify(tls.serverCert)}\n  key_file: ${JSON.stringify(tls.serverKey)}\n  ca_file: ${JSON.stringify(tls.caFile)}\n  verify: true\n}\n`
    : '';
  const configFile = join(dir, 'nats.conf');
  writeFileSync(configFile, `${tlsBlock}${renderNatsAuthorization(auth, tenantAuth)}`);
  const base = await startPrivateNats({
    ...(opts.binary ? { binary: opts.binary } : {}),
    config: configFile,
    ...(tls ? { scheme: 'tls' } : {}),
  });
  const clientTls = tls
    ? { caFile: tls.caFile, certFile: tls.clientCert, keyFile: tls.clientKey }
    : undefined;
  const identities = Object.fromEntries(
    NATS_IDENTITIES.map((identity) => {
      const nats: NatsSettings = {
        servers: [base.url],
        ...credentials[identity],
        ...(clientTls ? { tls: clientTls } : {}),
      };
      return [identity, { identity, nats, env: natsEnvOf(nats) }];
    }),
  ) as Record<NatsIdentity, NatsAccess>;
  const tenantOperators = Object.fromEntries(
    Object.entries(tenantSeeds).map(([tenant, nkeySeedFile]) => [
      tenant,
      { servers: [base.url], nkeySeedFile, ...(clientTls ? { tls: clientTls } : {}) },
    ]),
  );
  const secured: SecuredNats = Object.assign(base, {
    identities,
    tenantOperators,
    configFile,
    ...(clientTls ? { tls: clientTls } : {}),
    violations: () =>
      base.process
        .logs()
        .split('\n')
        .filter((l) => /Violation/.test(l)),
  });
  return secured;
}

/** A raw NATS connection as `access`'s identity, made as the services make theirs. */
export function connectAs(access: Pick<NatsAccess, 'identity' | 'nats'>): Promise<NatsConnection> {
  return connect(natsConnectionOptions(`test-${access.identity}`, access.nats, access.identity));
}

/** A raw NATS connection as the operator of one tenant (startSecuredNats' `tenantOperators`). */
export function connectTenantOperator(
  secured: Pick<SecuredNats, 'tenantOperators'>,
  tenantId: string,
): Promise<NatsConnection> {
  const settings = secured.tenantOperators[tenantId];
  if (!settings) throw new Error(`no operator identity was made for tenant ${tenantId}`);
  return connect(natsConnectionOptions(`test-operator-${tenantId}`, settings));
}

/** The environment variables a service reads for `nats` (its NATS_* settings). */
export function natsEnvOf(nats: NatsSettings): Record<string, string> {
  const entries: Array<[string, string | undefined]> = [
    ['NATS_SERVERS', nats.servers.join(',')],
    ['NATS_USER', nats.user],
    ['NATS_PASSWORD', nats.pass],
    ['NATS_TOKEN', nats.token],
    ['NATS_CREDS_FILE', nats.credsFile],
    ['NATS_NKEY_SEED_FILE', nats.nkeySeedFile],
    ['NATS_TLS_CA_FILE', nats.tls?.caFile],
    ['NATS_TLS_CERT_FILE', nats.tls?.certFile],
    ['NATS_TLS_KEY_FILE', nats.tls?.keyFile],
  ];
  return Object.fromEntries(entries.filter((e): e is [string, string] => !!e[1]));
}

interface Certificates {
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with openssl. */
function makeCertificates(dir: string): Certificates {
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    '-new',
    ...ec,
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/O=Switchboard tests/CN=test CA',
  );
  const leaf = (name: string, cn: string, ext: string) => {
    writeFileSync(path(`${name}.ext`), ext);
    openssl(
      'req',
      '-new',
      ...ec,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.csr`),
      '-subj',
      `/O=Switchboard tests/CN=${cn}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path('ca.pem'),
      '-CAkey',
      path('ca.key'),
      '-CAcreateserial',
      '-out',
      path(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      path(`${name}.ext`),
    );
  };
  leaf(
    'server',
    'localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  leaf('client', 'switchboard-test-client', 'extendedKeyUsage=clientAuth\n');
  return {
    caFile: path('ca.pem'),
    serverCert: path('server.pem'),
    serverKey: path('server.key'),
    clientCert: path('client.pem'),
    clientKey: path('client.key'),
  };
}

// --- operator mode (decentralized auth): what `nsc` sets up, for NATS_CREDS_FILE ----------------------

const b64url = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');

/** A NATS JWT (v2) with `claims`, signed by `issuer` (what `nsc` writes). */
function signJwt(issuer: ReturnType<typeof nkeys.createOperator>, claims: object): string {
  const body = { ...claims, iat: Math.floor(Date.now() / 1000), iss: issuer.getPublicKey() };
  const jti = createHash('sha512-256').update(JSON.stringify(body)).digest('base64url');
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }));
  const payload = b64url(JSON.stringify({ jti, ...body }));
  const signature = issuer.sign(new TextEncoder().encode(`${header}.${payload}`));
  return `${header}.${payload}.${b64url(signature)}`;
}

export interface OperatorModeNats extends PrivateNats {
  /** A credentials file for a user of the account with `identity`'s permissions. */
  credsFor(identity: NatsIdentity): string;
}

/**
 * A private nats-server in operator mode (JWTs, what `nsc` manages): an operator, one account, and
 * users whose JWTs carry the permissions natsPermissions derives; clients log in with a creds file.
 */
export async function startOperatorModeNats(
  opts: { binary?: string } = {},
): Promise<OperatorModeNats> {
  const dir = tempDir('nats-operator');
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  const operatorJwt = signJwt(operator, {
    name: 'switchboard-test',
    sub: operator.getPublicKey(),
    nats: { type: 'operator', version: 2 },
  });
  const unlimited = {
    subs: -1,
    data: -1,
    payload: -1,
    imports: -1,
    exports: -1,
    wildcards: true,
    conn: -1,
    leaf: -1,
  };
  const accountJwt = signJwt(operator, {
    name: 'SWITCHBOARD',
    sub: account.getPublicKey(),
    nats: {
      type: 'account',
      version: 2,
      limits: unlimited,
      default_permissions: { pub: {}, sub: {} },
    },
  });
  const configFile = join(dir, 'nats.conf');
  writeFileSync(
    configFile,
    [
      `operator: ${operatorJwt}`,
      'resolver: MEMORY',
      `resolver_preload: { ${account.getPublicKey()}: ${accountJwt} }`,
      // A user JWT carries its allow-lists: the gateway's and the orchestrator's pass the 4 KB that
      // nats-server allows a CONNECT line by default (docs/operations.md, "Your own NATS").
      'max_control_line: 16384',
      '',
    ].join('\n'),
  );
  const base = await startPrivateNats({
    ...(opts.binary ? { binary: opts.binary } : {}),
    config: configFile,
    jetstream: false,
  });
  const credsFor = (identity: NatsIdentity): string => {
    const user = nkeys.createUser();
    const p = natsPermissions(identity);
    const jwt = signJwt(account, {
      name: identity,
      sub: user.getPublicKey(),
      nats: {
        type: 'user',
        version: 2,
        pub: { allow: p.publish },
        sub: { allow: p.subscribe, ...(p.subscribeDeny.length ? { deny: p.subscribeDeny } : {}) },
        ...(p.responses
          ? { resp: { max: p.responses.max, ttl: p.responses.expiresMs * 1e6 } }
          : {}),
        subs: -1,
        data: -1,
        payload: -1,
      },
    });
    const seed = new TextDecoder().decode(user.getSeed());
    return writeSecret(
      dir,
      `${identity}.creds`,
      `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n` +
        `-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`,
    );
  };
  return Object.assign(base, { credsFor });
}

/**
 * Watches `subject` on `nc` as an operator does (`switchboard tail`, the Live view: TrafficTap): what
 * crosses NATS, and the copies of the requests and replies a cell's services exchanged in-process
 * (each on its own subject, never the batch they came in). Await `ready` before the traffic starts.
 */
export function watchTraffic(
  nc: NatsConnection,
  subject: string,
  handler: (m: BusMessage) => void,
): BusSubscription {
  return TrafficTap.over(nc, { observer: IGNORED_FAILURES }).subscribeRaw(subject, handler);
}
