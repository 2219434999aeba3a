import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  AuditStream,
  DeadLetterStream,
  type StreamContract,
  TaskSubmissionStream,
} from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  natsServerBinary,
  machineNatsServerBinary,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
  startService,
  type TestDatabase,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

/** The servers users run: Debian's (2.9, which ignores a TERM that carries a reason) and a current 2.10. */
const SERVERS: [string, () => string][] = [
  ['the machine’s (Debian bookworm: 2.9)', machineNatsServerBinary],
  ['2.10', natsServerBinary],
];

/**
 * Each poison message, and the durables that read it. No durable reads SB_TASK_EVENTS: webhooks'
 * deliveries are stored with the journaled events, and the task logs hear the live events and read
 * the journal for what they missed.
 */
const TARGETS: { stream: StreamContract; durables: string[]; subject: string }[] = [
  { stream: TaskSubmissionStream, durables: ['orchestrator'], subject: 'sb.task.submit' },
  { stream: AuditStream, durables: ['audit'], subject: 'sb.audit.tool' },
];

// A message that can never be processed is dead-lettered once and terminated: the server must not
// deliver it again (on 2.9 a TERM with a reason was ignored, so it came back every ack wait until
// max_deliver, dead-lettered each time). Real orchestrator and audit processes, on each server.
describe.each(SERVERS)('poison messages on nats-server %s', (_label, binary) => {
  let nats: PrivateNats;
  let dbs: TestDatabase[] = [];
  const services: ServiceHandle[] = [];
  let client: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats({ binary: binary() });
    const [orchestratorDb, auditDb] = await Promise.all([
      createTestDatabase('poison_orch', 'orchestrator'),
      createTestDatabase('poison_audit', 'audit'),
    ]);
    dbs = [orchestratorDb, auditDb];
    const logDir = tempDir('poison-logs');
    // A short ack wait: a message the server did not take as terminated comes back within a second.
    services.push(
      await startService(
        'audit',
        { NATS_SERVERS: nats.url, DATABASE_URL: auditDb.url, AUDIT_ACK_WAIT_MS: '1000' },
        { logDir },
      ),
      await startService(
        'orchestrator',
        { NATS_SERVERS: nats.url, DATABASE_URL: orchestratorDb.url, TASK_ACK_WAIT_MS: '1000' },
        { logDir },
      ),
    );
    client = await createBusClient(nats.url, 'gateway');
  });

  afterAll(async () => {
    await client?.close();
    await Promise.allSettled(services.map((s) => s.stop()));
    await nats?.stop();
    await Promise.allSettled(dbs.map((d) => d.drop()));
  });

  it('dead-letters a message that is not JSON once per durable reading it, and it is never delivered again', async () => {
    const nc = client.bus.connection;
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const published = [];
    for (const target of TARGETS) {
      const ack = await js.publish(target.subject, '{not json', { msgID: randomUUID() });
      published.push({ ...target, seq: ack.seq });
    }
    for (const { stream, durables, seq } of published)
      for (const durable of durables) {
        // Terminated: the consumer's ack floor passes it with nothing pending. A TERM the server
        // ignored leaves it pending (and redelivered after the ack wait) until max_deliver runs out.
        const info = await waitFor(
          async () => {
            const i = await jsm.consumers.info(stream.name, durable);
            return i.ack_floor.stream_seq >= seq && i.num_ack_pending === 0 ? i : undefined;
          },
          { what: `durable "${durable}" on ${stream.name} to terminate message ${seq}` },
        );
        expect(info.num_redelivered).toBe(0);
        expect(info.delivered.stream_seq).toBeGreaterThanOrEqual(seq);
      }
    for (const { stream, subject, durables } of published) {
      // One letter per durable that read it: each says which consumer parked it.
      const letters = (
        (await readAll(client, `sb.dlq.${stream.name}`)) as { consumer: string; subject: string }[]
      ).filter((l) => l.subject === subject);
      expect([...letters].sort((a, b) => a.consumer.localeCompare(b.consumer))).toEqual(
        [...durables].sort().map((consumer) =>
          expect.objectContaining({
            stream: stream.name,
            consumer,
            subject,
            reason: 'payload is not JSON',
            payload: '{not json',
          }),
        ),
      );
    }
    for (const s of services) expect((await fetch(`${s.url}/readiness`)).status).toBe(200);
  });
});

/** Every dead letter stored on `subject`. */
async function readAll(client: BusClient, subject: string): Promise<unknown[]> {
  const { messages } = await client.jetstream.replay(DeadLetterStream, subject, { follow: false });
  const out: unknown[] = [];
  for await (const m of messages) out.push(m.data);
  return out;
}
