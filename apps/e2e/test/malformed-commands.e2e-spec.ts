import {
  CATALOGUE,
  type CommandContract,
  Headers as H,
  Health,
  Tools,
  type ServiceName,
} from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  type PrivateProsody,
  type Stack,
  startPrivateProsody,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';

const DOMAIN = 'agents.switchboard.local';
const encode = (text: string) => new TextEncoder().encode(text);

/** Bodies that are not a request a command handler can take, each with the problem it must name. */
const MALFORMED: { name: string; body: (subject: string) => Uint8Array; names: RegExp }[] = [
  { name: 'invalid JSON', body: () => encode('{"data": {"task": '), names: /not valid JSON/ },
  { name: 'an empty body', body: () => new Uint8Array(), names: /empty body/ },
  {
    name: 'a binary body',
    body: () => new Uint8Array([0xff, 0xfe, 0x00, 0x9c, 0x81]),
    names: /not UTF-8/,
  },
  { name: 'a JSON array', body: () => encode('[1,2,3]'), names: /is an array, not/ },
  {
    name: 'JSON without the envelope',
    body: () => encode('{"tool":"calculator","input":{}}'),
    names: /"data" is missing/,
  },
  {
    name: 'an envelope whose data the contract refuses',
    body: (subject) => encode(JSON.stringify({ pattern: subject, data: 'not an object', id: '1' })),
    names: /invalid request on .*expected object/,
  },
];

/** What a command answered: its error body, from a reply packet or from a stream's error part. */
function errorOf(contract: CommandContract, reply: Record<string, unknown>): unknown {
  return contract.reply === 'stream' ? reply['error'] : reply['err'];
}

// Every command subject of the contracts catalogue, on the six real services: a malformed request is
// answered at once with a VALIDATION error naming the problem (never left to time out), and the
// service logs it once.
describe('malformed requests on every command subject (all six services, real processes)', () => {
  let prosody: PrivateProsody;
  let stack: Stack;
  let client: BusClient;
  const clients = new Map<ServiceName, BusClient>();

  beforeAll(async () => {
    const password = `pw-${randomUUID()}`;
    prosody = await startPrivateProsody({
      accounts: [{ user: 'platform', host: DOMAIN, password }],
    });
    stack = await startStack({
      shape: 'cell',
      services: ['mcp-tools', 'audit', 'orchestrator', 'xmpp-bridge', 'a2a', 'gateway'],
      env: {
        'xmpp-bridge': {
          AZTM_JID: `platform@${DOMAIN}`,
          AZTM_PASSWORD: password,
          AZTM_HOST: '127.0.0.1',
          AZTM_PORT: String(prosody.c2sPort),
          AZTM_TLS: 'starttls',
          XMPP_BRIDGE_CA_FILE: prosody.caFile,
          AZTM_SERVER_MODE: 'false',
        },
      },
    });
    client = await clientOf('gateway');
  }, 180_000);

  /** A client as the identity NATS lets send a command (its first caller: a service in each case). */
  async function clientOf(as: ServiceName): Promise<BusClient> {
    let c = clients.get(as);
    if (!c) {
      c = await createBusClient(stack.nats.url, as, stack.natsSettings(as));
      clients.set(as, c);
    }
    return c;
  }

  afterAll(async () => {
    for (const c of clients.values()) await c.close();
    await stack?.stop();
    await prosody?.stop();
  });

  // A command served only by the replica holding what its subject names (a push-mode delegation
  // waiting for a notification) has no responder on a subject nobody waits on: it is checked below,
  // and what its waiting replica does with a malformed request in apps/a2a's push-inbox.spec.ts.
  const waiters = CATALOGUE.commands.filter((c) => c.responder === 'waiter');

  it.each(waiters.map((c) => [c.subject, c] as const))(
    '%s has no responder while nothing waits on it',
    async (_subject, contract) => {
      const caller = await clientOf(contract.callers.find((c): c is ServiceName => c !== 'admin')!);
      await expect(
        caller.bus.connection.request(contract.subjectOf({}), '{}', { timeout: 5_000 }),
      ).rejects.toThrow(/no responders/);
    },
  );

  it.each(
    CATALOGUE.commands.filter((c) => c.responder !== 'waiter').map((c) => [c.subject, c] as const),
  )(
    '%s answers every malformed request with VALIDATION, and logs each once',
    async (subject, contract) => {
      const service = stack.services[contract.service]!;
      const sent: string[] = [];
      for (const malformed of MALFORMED) {
        const correlationId = randomUUID();
        sent.push(correlationId);
        const h = natsHeaders();
        h.set(H.correlationId, correlationId);
        // a subject with a placeholder on its no-task form (sb.cmd.tools.call._)
        const wire = contract.subjectOf({});
        const caller = await clientOf(
          contract.callers.find((c): c is ServiceName => c !== 'admin')!,
        );
        const reply = await caller.bus.connection.request(wire, malformed.body(wire), {
          timeout: 5_000,
          headers: h,
        });
        const error = errorOf(contract, reply.json<Record<string, unknown>>());
        expect({ case: malformed.name, error }).toEqual({
          case: malformed.name,
          // Request/reply commands and streamed ones (an error part) read the envelope alike.
          error: expect.objectContaining({
            code: 'VALIDATION',
            message: expect.stringMatching(malformed.names),
          }),
        });
      }
      // Each refusal is logged once.
      const refusals = () =>
        service
          .logs()
          .split('\n')
          .filter((line) => line.includes('refused a request'))
          .filter((line) => sent.some((id) => line.includes(id)));
      const lines = await waitFor(
        () => (refusals().length >= sent.length ? refusals() : undefined),
        {
          what: `the refusals of ${subject} in the ${contract.service} log`,
        },
      );
      expect(lines).toHaveLength(sent.length);
      for (const id of sent) expect(lines.filter((l) => l.includes(id))).toHaveLength(1);
    },
  );

  it.each(Object.values(Health.HealthStatus).map((c) => [c.subject, c] as const))(
    '%s answers a valid request with the replica status',
    async (_subject, contract) => {
      const status = await client.bus.request(contract, {});
      expect(status).toMatchObject({ service: contract.service, status: 'up' });
    },
  );

  it('does not run a command sent without a reply subject, and logs it', async () => {
    const userId = `no-reply-${randomUUID().slice(0, 8)}`;
    const h = natsHeaders();
    h.set(H.userId, userId);
    h.set(H.userRole, 'user');
    h.set(H.correlationId, randomUUID());
    const data = { tool: 'notes.add', input: { content: 'fire and forget' } };
    (await clientOf('orchestrator')).bus.connection.publish(
      Tools.ToolsCall.subjectOf(data),
      encode(JSON.stringify({ pattern: Tools.ToolsCall.subjectOf(data), data, id: randomUUID() })),
      { headers: h },
    );
    await waitFor(
      () =>
        stack.services['mcp-tools']!.logs().includes(
          'a message without a reply subject was not run',
        )
          ? true
          : undefined,
      { what: 'the refusal in the mcp-tools log' },
    );
    const notes = await stack.dbs.tools.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM "Note" WHERE "userId" = $1',
      [userId],
    );
    expect(notes).toEqual([{ n: 0 }]);
  });
});
