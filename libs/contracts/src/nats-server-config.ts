import {
  allNatsPermissions,
  type NatsIdentity,
  type NatsPermissions,
  tenantOperatorPermissions,
} from './nats-permissions.js';

/**
 * How one identity proves itself to the nats-server: a password written into the configuration, a
 * password the server reads from its environment (`$VARIABLE`, so the file holds no secret), or the
 * public key of its NKey (the client signs with the seed).
 */
export type NatsUserAuth = { password: string } | { passwordVariable: string } | { nkey: string };

/** The environment variable a nats-server reads an identity's password from (NATS_PASSWORD_MCP_TOOLS). */
export function natsPasswordVariable(identity: NatsIdentity): string {
  return `NATS_PASSWORD_${identity.toUpperCase().replaceAll('-', '_')}`;
}

/** How long the server waits for a client's credentials after it connects (its default: 2 s). */
export const NATS_AUTH_TIMEOUT_SECONDS = 10;

const quote = (s: string) => JSON.stringify(s);
const list = (items: readonly string[]) => `[${items.map(quote).join(', ')}]`;

function credentialLines(identity: string, auth: NatsUserAuth): string[] {
  if ('nkey' in auth) return [`nkey: ${quote(auth.nkey)}`];
  const password = 'password' in auth ? quote(auth.password) : `$${auth.passwordVariable}`;
  return [`user: ${quote(identity)}`, `password: ${password}`];
}

function permissionLines(p: Omit<NatsPermissions, 'identity'>): string[] {
  // An empty allow-list would not restrict anything: what may not publish at all is denied everything.
  const publish = p.publish.length ? `{ allow: ${list(p.publish)} }` : `{ deny: [">"] }`;
  const deny = p.subscribeDeny.length ? `, deny: ${list(p.subscribeDeny)}` : '';
  return [
    `publish: ${publish}`,
    `subscribe: { allow: ${list(p.subscribe)}${deny} }`,
    ...(p.responses
      ? [
          `allow_responses: { max: ${p.responses.max}, expires: "${Math.ceil(p.responses.expiresMs / 1000)}s" }`,
        ]
      : []),
  ];
}

/**
 * The `authorization` block of a nats-server configuration (2.9 and later) giving each identity its
 * credentials and the permissions the contracts derive (natsPermissions). `auth` says how each one
 * authenticates; identities it leaves out get no user at all.
 */
export function renderNatsAuthorization(
  auth: Partial<Record<NatsIdentity, NatsUserAuth>>,
  /** Tenant operators by tenant id (docs/tenancy.md): users `operator-<tenant>`. */
  tenantOperators: Readonly<Record<string, NatsUserAuth>> = {},
): string {
  const tenants = Object.entries(tenantOperators).map(([tenant, how]) => ({
    ...tenantOperatorPermissions(tenant),
    how,
  }));
  const platform = allNatsPermissions().flatMap((p) => {
    const how = auth[p.identity];
    return how ? [{ ...p, how }] : [];
  });
  const users = [...platform, ...tenants].map((p) => {
    const { how } = p;
    const lines = [
      `# ${p.identity}`,
      ...credentialLines(p.identity, how),
      'permissions: {',
      ...permissionLines(p).map((l) => `  ${l}`),
      '}',
    ];
    return ['{', ...lines.map((l) => `  ${l}`), '}'].map((l) => `    ${l}`).join('\n');
  });
  return [
    '# Generated from libs/contracts (natsPermissions): one user per identity, allowed exactly what',
    '# its contracts declare. Regenerate rather than edit.',
    'authorization {',
    // A cell connects its services' identities while it is still loading the others: on a busy
    // machine its event loop may answer the server's nonce later than the default 2 s, and the
    // server would refuse it ("Authentication Timeout"). Credentials still decide; this is patience.
    `  timeout: ${NATS_AUTH_TIMEOUT_SECONDS}`,
    '  users: [',
    users.join('\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
}
