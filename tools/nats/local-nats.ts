// The local stack's NATS configuration (what `npm run up` runs): every identity of the platform with its
// own NKey, allowed what its contracts declare, written to a directory of its own.
//
//   tsx --tsconfig tsconfig.base.json tools/nats/local-nats.ts --dir .run/nats --port 4322 --store DIR
//
// Writes (idempotent: seeds are made once and kept, the rest is rewritten from the contracts):
//   <dir>/identities/<identity>.nk  NKey seeds (0600), one per service, `operator` and `admin`
//   <dir>/nats.conf                 infra/docker/nats.conf's settings, its address and JetStream
//                                   store, and the users with their permissions (the whole server in
//                                   one file: a reload keeps it all)
//   <dir>/operator.env, admin.env   NATS_SERVERS and NATS_NKEY_SEED_FILE of the operator (`switchboard
//                                   tail`) and of admin (`switchboard call`, `switchboard audit verify`)
//   <dir>/operator-<tenant>.env     the same for each tenant in SB_TENANT_OPERATORS (comma-separated):
//                                   an identity that reads only that tenant's task events and audit
//                                   records (`switchboard tail --tenant <tenant>`, docs/tenancy.md)
// The configuration holds public keys only: the secrets are the seed files.
import { nkeys } from '@nats-io/transport-node';
import {
  NATS_IDENTITIES,
  type NatsIdentity,
  type NatsUserAuth,
  renderNatsAuthorization,
  TenantId,
} from '@switchboard/contracts';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..', '..');
const USER_SEED = /\bSU[A-Z2-7]{56}\b/;

/** The identity's seed file, made once; returns its public key. */
function ensureSeed(dir: string, identity: string): string {
  const file = join(dir, `${identity}.nk`);
  const existing = existsSync(file) ? USER_SEED.exec(readFileSync(file, 'utf8'))?.[0] : undefined;
  if (existing) return nkeys.fromSeed(new TextEncoder().encode(existing)).getPublicKey();
  const user = nkeys.createUser();
  writeFileSync(file, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return user.getPublicKey();
}

function main(): void {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, port: { type: 'string' }, store: { type: 'string' } },
  });
  if (!values.dir || !values.store || !values.port || !/^\d+$/.test(values.port)) {
    console.error('usage: local-nats.ts --dir DIR --port PORT --store DIR');
    process.exit(2);
  }
  const dir = resolve(values.dir);
  const identities = join(dir, 'identities');
  mkdirSync(identities, { recursive: true, mode: 0o700 });
  const auth: Partial<Record<NatsIdentity, NatsUserAuth>> = {};
  for (const identity of NATS_IDENTITIES)
    auth[identity] = { nkey: ensureSeed(identities, identity) };
  const tenants = tenantOperators(process.env['SB_TENANT_OPERATORS'] ?? '');
  const tenantAuth: Record<string, NatsUserAuth> = {};
  for (const tenant of tenants)
    tenantAuth[tenant] = { nkey: ensureSeed(identities, `operator-${tenant}`) };
  const base = readFileSync(join(root, 'infra', 'docker', 'nats.conf'), 'utf8');
  // Address and JetStream in the file too: a reload (SIGHUP) re-reads only the file, and would stop
  // a JetStream enabled on the command line.
  const server = [
    `listen: "127.0.0.1:${values.port}"`,
    `jetstream { store_dir: ${JSON.stringify(resolve(values.store))} }`,
  ].join('\n');
  writeFileSync(
    join(dir, 'nats.conf'),
    `${base}\n${server}\n\n${renderNatsAuthorization(auth, tenantAuth)}`,
  );
  // What the CLI reads when given no connection setting (apps/cli: operator-connection.ts).
  for (const identity of ['operator', 'admin', ...tenants.map((t) => `operator-${t}`)])
    writeFileSync(
      join(dir, `${identity}.env`),
      `NATS_SERVERS=nats://127.0.0.1:${values.port}\nNATS_NKEY_SEED_FILE=${join(identities, `${identity}.nk`)}\n`,
    );
  console.log(`${NATS_IDENTITIES.length} identities in ${identities}`);
}

/** SB_TENANT_OPERATORS, each a valid tenant id (a bad one stops here, named). */
function tenantOperators(raw: string): string[] {
  const tenants = raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const tenant of tenants) {
    const parsed = TenantId.safeParse(tenant);
    if (!parsed.success) {
      console.error(
        `SB_TENANT_OPERATORS: "${tenant}" ${parsed.error.issues[0]?.message ?? 'is not a tenant id'}`,
      );
      process.exit(2);
    }
  }
  return [...new Set(tenants)];
}

main();
