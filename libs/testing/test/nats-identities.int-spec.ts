// The NATS identities and permissions derived from the contracts, rendered into a real nats-server's
// configuration, on both server versions the platform supports (2.9: Debian's; 2.10: infra/setup.sh).
import {
  AckPolicy,
  jetstream,
  jetstreamManager,
  type MsgRequest,
  type NextMsgRequest,
} from '@nats-io/jetstream';
import {
  connect,
  headers,
  type Msg,
  type NatsConnection,
  nkeys,
  nkeyAuthenticator,
} from '@nats-io/transport-node';
import {
  Audit,
  AuditStream,
  Headers as H,
  inboxPrefix,
  type NatsIdentity,
  TaskEventStream,
} from '@switchboard/contracts';
import { natsConnectionOptions } from '@switchboard/messaging';
import {
  natsServerBinary,
  machineNatsServerBinary,
  type SecuredNats,
  startOperatorModeNats,
  startSecuredNats,
  waitFor,
} from '../src/index.js';

const SERVERS = [
  ['2.9', machineNatsServerBinary],
  ['2.10', natsServerBinary],
] as const;

const decoder = new TextDecoder();

/** A connection as `identity`, made exactly as the services make theirs. */
function connectAs(nats: SecuredNats, identity: NatsIdentity): Promise<NatsConnection> {
  return connect(
    natsConnectionOptions(`test-${identity}`, nats.identities[identity].nats, identity),
  );
}

/** The error a request ends with (the test fails when it is answered). */
async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('the request was answered');
}

/** A forged acting user: an admin, as only the gateway may claim on this subject. */
function forgedAdmin() {
  const h = headers();
  h.set(H.userId, 'mallory');
  h.set(H.userRole, 'admin');
  h.set(H.correlationId, 'forged-1');
  return h;
}

describe.each(SERVERS)('NATS identities on nats-server %s', (_version, binary) => {
  let nats: SecuredNats;
  const open: NatsConnection[] = [];
  const as = async (identity: NatsIdentity) => {
    const nc = await connectAs(nats, identity);
    open.push(nc);
    return nc;
  };
  /** The audit service's side of sb.cmd.audit.query: records who reached it, answers each. */
  let received: Msg[] = [];

  beforeAll(async () => {
    nats = await startSecuredNats({ binary: binary() });
    const audit = await as('audit');
    audit.subscribe(Audit.AuditQuery.subject, {
      queue: 'audit',
      callback: (_e, m) => {
        received.push(m);
        m.respond(JSON.stringify({ id: 'r', response: { entries: [] }, isDisposed: true }));
      },
    });
    await audit.flush();
  });

  beforeEach(() => {
    received = [];
  });

  afterAll(async () => {
    await Promise.allSettled(open.map((nc) => nc.close()));
    await nats?.stop();
  });

  it('refuses the operator identity sb.cmd.audit.query: the server rejects it, the audit service never sees it', async () => {
    const operator = await as('operator');
    const e = await refusal(
      operator.request(Audit.AuditQuery.subject, '{"data":{}}', { timeout: 2_000 }),
    );
    expect(e.message).toMatch(/Permissions Violation for Publish to "sb\.cmd\.audit\.query"/);
    // A plain publish with a reply subject is dropped by the server as well.
    operator.publish(Audit.AuditQuery.subject, '{"data":{},"id":"x"}', {
      reply: `${inboxPrefix('operator')}.x`,
    });
    await operator.flush();
    await waitFor(
      () => nats.violations().some((l) => /Publish Violation.*sb\.cmd\.audit\.query/.test(l)),
      {
        what: 'the server logging the refusal',
      },
    );
    expect(received).toEqual([]);
  });

  it('refuses a forged x-sb-user-role: admin from a non-gateway identity, and serves the gateway', async () => {
    for (const identity of ['a2a', 'orchestrator', 'mcp-tools', 'xmpp-bridge'] as const) {
      const nc = await as(identity);
      const e = await refusal(
        nc.request(Audit.AuditQuery.subject, '{"data":{}}', {
          timeout: 2_000,
          headers: forgedAdmin(),
        }),
      );
      expect({ identity, refused: e.message }).toEqual({
        identity,
        refused: expect.stringMatching(/Permissions Violation for Publish/),
      });
    }
    expect(received).toEqual([]);
    // The identity allowed to state the acting user is heard, and its answer comes back.
    const gateway = await as('gateway');
    const reply = await gateway.request(Audit.AuditQuery.subject, '{"data":{}}', {
      timeout: 2_000,
      headers: forgedAdmin(),
    });
    expect(JSON.parse(decoder.decode(reply.data))).toMatchObject({ response: { entries: [] } });
    expect(received.map((m) => m.headers?.get(H.userRole))).toEqual(['admin']);
    // Replies reach the caller's own inbox, which nobody else may read.
    expect(received[0]!.reply!.startsWith(`${inboxPrefix('gateway')}.`)).toBe(true);
  });

  it('lets the operator tail events and audit records and read stored task events, but create no consumer and join no queue group', async () => {
    const operator = await as('operator');
    const seen: string[] = [];
    operator.subscribe('sb.>', {
      callback: (_e, m) => {
        seen.push(m.subject);
      },
    });
    await operator.flush();
    const orchestrator = await as('orchestrator');
    const jsm = await jetstreamManager(orchestrator);
    await jsm.streams.add({ name: TaskEventStream.name, subjects: [...TaskEventStream.subjects] });
    const gateway = await as('gateway');
    await jsm.streams.add({ name: AuditStream.name, subjects: [...AuditStream.subjects] });
    await jetstream(orchestrator).publish(
      'sb.evt.task.t1.default.orchestrator.task.started',
      '{"seq":1}',
    );
    await jetstream(gateway).publish('sb.audit.request._.default', '{}');
    await waitFor(
      () =>
        seen.includes('sb.audit.request._.default') &&
        seen.includes('sb.evt.task.t1.default.orchestrator.task.started'),
      {
        what: 'the operator seeing the event and the audit record',
      },
    );
    // A task's stored events, one by one (what the tail replays), are readable.
    const opJsm = await jetstreamManager(operator);
    // (MSG.GET takes next_by_subj since 2.9; the client's type names only its other forms)
    const next: NextMsgRequest = { seq: 1, next_by_subj: 'sb.evt.task.t1.>' };
    const stored = await opJsm.streams.getMessage(
      TaskEventStream.name,
      next as unknown as MsgRequest,
    );
    expect(stored?.subject).toBe('sb.evt.task.t1.default.orchestrator.task.started');
    // A consumer chooses where the stream delivers (a command subject, even): never the operator's.
    const consumer = await refusal(
      opJsm.consumers.add(TaskEventStream.name, {
        ack_policy: AckPolicy.Explicit,
        deliver_subject: Audit.AuditQuery.subject,
      }),
    );
    expect(consumer.message).toMatch(/Permissions Violation/);
    // Joining a service's queue group would take its requests away.
    const sub = operator.subscribe(Audit.AuditQuery.subject, { queue: 'audit' });
    const ended = await sub.closed;
    expect(ended?.message).toMatch(/Permissions Violation for Subscription.*using queue "audit"/);
  });

  it("keeps every identity out of the others' inboxes, and anyone without credentials out", async () => {
    const a2a = await as('a2a');
    const sub = a2a.subscribe(`${inboxPrefix('gateway')}.>`);
    const ended = await sub.closed;
    expect(ended?.message).toMatch(/Permissions Violation for Subscription/);
    await expect(connect({ servers: nats.url })).rejects.toThrow(/Authorization Violation/);
    const stranger = nkeys.createUser();
    await expect(
      connect({ servers: nats.url, authenticator: nkeyAuthenticator(stranger.getSeed()) }),
    ).rejects.toThrow(/Authorization Violation/);
  });
});

describe('each way of proving an identity, through the services’ connection code', () => {
  it('connects with a password, and refuses a wrong one', async () => {
    const nats = await startSecuredNats({ auth: 'password' });
    try {
      const nc = await connectAs(nats, 'gateway');
      await nc.flush();
      await nc.close();
      const wrong = { ...nats.identities.gateway.nats, pass: 'wrong' };
      await expect(connect(natsConnectionOptions('t', wrong, 'gateway'))).rejects.toThrow(
        /Authorization Violation/,
      );
    } finally {
      await nats.stop();
    }
  });

  it('connects over TLS with the CA and a client certificate, and refuses a client without one', async () => {
    const nats = await startSecuredNats({ tls: true });
    try {
      expect(nats.url).toMatch(/^tls:\/\//);
      const nc = await connectAs(nats, 'orchestrator');
      expect(nc.info?.tls_required).toBe(true);
      await nc.flush();
      await nc.close();
      const { certFile: _c, keyFile: _k, ...caOnly } = nats.tls!;
      const noCert = { ...nats.identities.orchestrator.nats, tls: caOnly };
      await expect(
        connect({ ...natsConnectionOptions('t', noCert, 'orchestrator'), reconnect: false }),
      ).rejects.toThrow();
    } finally {
      await nats.stop();
    }
  });

  it('connects with a credentials file in operator mode, its JWT carrying the same permissions', async () => {
    const nats = await startOperatorModeNats();
    try {
      const settings = { servers: [nats.url], credsFile: nats.credsFor('operator') };
      const nc = await connect(natsConnectionOptions('t', settings, 'operator'));
      const seen: string[] = [];
      nc.subscribe('sb.>', {
        callback: (_e, m) => {
          seen.push(m.subject);
        },
      });
      await nc.flush();
      const e = await refusal(nc.request(Audit.AuditQuery.subject, '{}', { timeout: 2_000 }));
      expect(e.message).toMatch(/Permissions Violation for Publish/);
      const gateway = await connect(
        natsConnectionOptions(
          'g',
          { servers: [nats.url], credsFile: nats.credsFor('gateway') },
          'gateway',
        ),
      );
      gateway.publish('sb.audit.request._.default', '{}');
      await waitFor(() => seen.includes('sb.audit.request._.default'), {
        what: 'the operator seeing it',
      });
      await Promise.all([nc.close(), gateway.close()]);
    } finally {
      await nats.stop();
    }
  });
});
