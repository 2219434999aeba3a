import { type Actor, Tools } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  deleteRedisKeys,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
  startService,
  type TestDatabase,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { ensureStreams } from './support.js';

const redisPrefix = testRedisPrefix('tools-policy-replicas');
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

// Two mcp-tools replicas share one database. Each keeps its tenants' approval policy overrides in
// memory (ApprovalOverridesCache) for far longer than this test runs, so only the change announced
// on NATS by the replica that wrote it can make the other one enforce it on its next call.
describe('approval policy overrides across replicas (two real processes, NATS, PostgreSQL)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let replicas: ServiceHandle[];
  let gateway: BusClient;
  let orchestrator: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_policy_replicas', 'mcp-tools');
    gateway = await createBusClient(nats.url, 'gateway');
    orchestrator = await createBusClient(nats.url, 'orchestrator');
    await ensureStreams(gateway);
    const env = {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      // Longer than the test: a copy expiring cannot stand in for the announcement.
      APPROVAL_POLICY_CACHE_TTL_MS: '3600000',
    };
    replicas = await Promise.all([startService('mcp-tools', env), startService('mcp-tools', env)]);
  });

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await orchestrator?.close();
    await gateway?.close();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  /**
   * Sends one command and says which replica handled it (NATS gives each to one replica of the
   * queue group, at random): the one whose handled count went up.
   */
  async function sendAndSeeWho<T>(
    send: () => Promise<T>,
  ): Promise<{ by: number; outcome: PromiseSettledResult<T> }> {
    const before = await Promise.all(replicas.map(handledBy));
    const [outcome] = await Promise.allSettled([send()]);
    const after = await waitFor(async () => {
      const now = await Promise.all(replicas.map(handledBy));
      return now.reduce((a, b) => a + b, 0) > before.reduce((a, b) => a + b, 0) ? now : undefined;
    });
    return { by: after.findIndex((n, i) => n > before[i]!), outcome: outcome! };
  }

  const callTime = () =>
    orchestrator.bus.request(Tools.ToolsCall, { tool: 'time.now', input: {} }, { actor: alice });
  const setPolicy = (policy: { expiresInMs: number } | null) =>
    gateway.bus.request(Tools.ApprovalPolicySet, { tool: 'time.now', policy }, { actor: root });

  /** Calls time.now until `replica` has answered one; every answer on the way is checked. */
  async function callOn(
    replica: number,
    check: (outcome: PromiseSettledResult<unknown>) => void,
  ): Promise<PromiseSettledResult<unknown>> {
    for (let i = 0; i < 40; i++) {
      const { by, outcome } = await sendAndSeeWho(callTime);
      check(outcome);
      if (by === replica) return outcome;
    }
    throw new Error(`replica ${replica} answered none of 40 calls`);
  }

  const ran = (o: PromiseSettledResult<unknown>) => expect(o.status).toBe('fulfilled');
  const refused = (o: PromiseSettledResult<unknown>) =>
    expect(o.status === 'rejected' ? o.reason : o).toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'approval-outside-task' },
    });

  it('an override set through one replica applies to the next call on the other; so does its removal', async () => {
    // Both replicas have read (and keep) the tenant's overrides: none, so time.now runs.
    await callOn(0, ran);
    await callOn(1, ran);

    const set = await sendAndSeeWho(() => setPolicy({ expiresInMs: 60_000 }));
    expect(set.outcome).toMatchObject({ status: 'fulfilled', value: { source: 'override' } });
    const other = 1 - set.by;
    await callOn(other, refused);

    const removed = await sendAndSeeWho(() => setPolicy(null));
    expect(removed.outcome).toMatchObject({ status: 'fulfilled', value: { source: 'none' } });
    await callOn(1 - removed.by, ran);
  });
});
