import { type Actor, Tools } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  type PrivateNats,
  type PrivateRedis,
  type ServiceHandle,
  startPrivateNats,
  startPrivateRedis,
  startService,
  type TestDatabase,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ensureStreams, writeToolsFile } from './support.js';

const TOOLS_FILE = `
providers:
  - name: partner
    requiresAuthorization: true
tools:
  - name: t.partner
    description: Needs the partner provider authorized.
    provider: partner
    inputSchema: { type: object, additionalProperties: false }
    handler: { kind: builtin, ref: time.now }
`;

const run = randomUUID().slice(0, 8);
const alice: Actor = { userId: `alice-${run}`, role: 'user' };
const root: Actor = { userId: `root-${run}`, role: 'admin' };

/** The commands a replica has handled so far (its /metrics: sb_nats_handled_total, every subject). */
async function handledBy(replica: ServiceHandle): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('sb_nats_handled_total{'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

// Two mcp-tools replicas share one database and a private redis-server (its own, so the server's
// command counters are this test's alone). Each keeps the manifests it built in its own memory: a
// manifest costs Redis nothing, and only the change announced on NATS by the replica that wrote a
// grant can make the other one offer the granted tool before its copy expires (set far longer than
// the test).
describe('manifests across replicas (two real processes, NATS, PostgreSQL, Redis)', () => {
  let nats: PrivateNats;
  let redis: PrivateRedis;
  let probe: Redis;
  let db: TestDatabase;
  let replicas: ServiceHandle[];
  let client: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    redis = await startPrivateRedis();
    probe = new Redis(redis.url);
    db = await createTestDatabase('tools_manifest_replicas', 'mcp-tools');
    client = await createBusClient(nats.url, 'gateway');
    await ensureStreams(client);
    const env = {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: testRedisPrefix('tools-manifests'),
      TOOLS_FILE: writeToolsFile('manifest-replicas.yaml', TOOLS_FILE),
      // Longer than the test: a copy expiring cannot stand in for the announcement.
      MANIFEST_CACHE_TTL_SECONDS: '3600',
    };
    replicas = await Promise.all([startService('mcp-tools', env), startService('mcp-tools', env)]);
  });

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await client?.close();
    probe?.disconnect();
    await redis?.stop();
    await nats?.stop();
    await db?.drop();
  });

  /** Calls of each command the Redis server has run (INFO commandstats), by command name. */
  const commandCalls = async (): Promise<Map<string, number>> => {
    const info = await probe.info('commandstats');
    return new Map(
      [...info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]),
    );
  };

  const manifest = (actor: Actor) => client.bus.request(Tools.ToolsManifest, {}, { actor });

  /** Asks for alice's manifest until `replica` has answered one; that answer. */
  async function manifestOn(replica: number): Promise<Tools.Manifest> {
    for (let i = 0; i < 40; i++) {
      const before = await Promise.all(replicas.map(handledBy));
      const answer = await manifest(alice);
      const after = await waitFor(async () => {
        const now = await Promise.all(replicas.map(handledBy));
        return now.some((n, j) => n > before[j]!) ? now : undefined;
      });
      if (after[replica]! > before[replica]!) return answer;
    }
    throw new Error(`replica ${replica} answered none of 40 manifest requests`);
  }

  it('serves manifests from memory without a Redis command, and a grant through one replica reaches the other', async () => {
    const before = await commandCalls();
    for (const replica of [0, 1]) {
      expect((await manifestOn(replica)).tools.map((t) => t.name)).not.toContain('t.partner');
      const again = await manifestOn(replica);
      expect(again.cached).toBe(true);
    }
    const after = await commandCalls();
    // Besides readiness PINGs (the processes' health checks) and the probe's own INFO.
    const sent = [...after].filter(
      ([name, n]) => !['info', 'ping'].includes(name) && n !== (before.get(name) ?? 0),
    );
    expect(sent).toEqual([]);

    await client.bus.request(
      Tools.AuthorizationGrant,
      { userId: alice.userId, provider: 'partner' },
      { actor: root },
    );
    // Whichever replica took the grant, both offer the tool on their next manifest.
    for (const replica of [0, 1]) {
      const granted = await manifestOn(replica);
      expect(granted.tools.map((t) => t.name)).toContain('t.partner');
    }
  });
});
