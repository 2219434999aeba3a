// NatsBus' retry policy against a real nats-server that goes away and comes back. The responders are
// plain NATS subscriptions answering in Nest's reply shape, on a connection of their own.
import { type Actor, defineCommand, type DomainError } from '@switchboard/contracts';
import { decodeJson, encodeJson } from '@switchboard/messaging';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import {
  type AddressInfo,
  createConnection,
  createServer,
  type Server,
  type Socket,
} from 'node:net';
import { z } from 'zod';
import {
  type BusClient,
  createBusClient,
  type PrivateNats,
  startPrivateNats,
  waitFor,
} from '../src/index.js';

const base = {
  service: 'mcp-tools' as const,
  callers: ['orchestrator' as const],
  request: z.object({ n: z.number() }).strict(),
  response: z.object({ n: z.number(), delivery: z.number() }),
  timeoutMs: 20_000,
  description: 'test',
};
const Read = defineCommand({ ...base, subject: 'sb.cmd.test.read', idempotency: 'idempotent' });
const Act = defineCommand({ ...base, subject: 'sb.cmd.test.act' });

const actor: Actor = { userId: 'retry-user', role: 'user' };

/** A responder on its own connection; `answer(delivery)` decides whether delivery N gets a reply. */
async function responder(
  url: string,
  subject: string,
  answer: (delivery: number) => boolean = () => true,
): Promise<{ deliveries: number; close(): Promise<void> }> {
  const nc: NatsConnection = await connect({
    servers: url,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 200,
  });
  const state = {
    deliveries: 0,
    // Drained: the server has dropped the subscription before close() resolves, so the next request
    // finds no responder rather than a connection on its way out.
    close: async () => {
      await nc.drain();
    },
  };
  nc.subscribe(subject, {
    callback: (_err, msg: Msg) => {
      const delivery = ++state.deliveries;
      if (!answer(delivery)) return;
      const { id, data } = decodeJson(msg.data) as { id: string; data: { n: number } };
      msg.respond(encodeJson({ id, response: { n: data.n, delivery }, isDisposed: true }));
    },
  });
  await nc.flush();
  return state;
}

async function failure(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a failure');
}

describe('NatsBus retry policy over a real nats-server', () => {
  let nats: PrivateNats;
  let client: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    client = await createBusClient(nats.url, 'orchestrator');
  });

  afterAll(async () => {
    await client?.close();
    await nats?.stop();
  });

  it('an idempotent request waits out a responder that is not there yet', async () => {
    let retried: (e: DomainError) => void = () => undefined;
    const firstFailure = new Promise<DomainError>((resolve) => (retried = resolve));
    const pending = client.bus.request(
      Read,
      { n: 1 },
      { actor, deadline: Date.now() + 20_000, onRetry: (e) => retried(e) },
    );
    // The first attempt found no responder; the service then comes up.
    expect(await firstFailure).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    const late = await responder(nats.url, Read.subject);
    try {
      expect(await pending).toEqual({ n: 1, delivery: 1 });
    } finally {
      await late.close();
    }
  });

  it('a repeatable request without a budget for retries is sent once (an edge answers at once)', async () => {
    const e = await failure(client.bus.request(Read, { n: 0 }, { actor }));
    expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
  });

  it('a request that is not repeatable is sent once and fails at once without a responder', async () => {
    const e = await failure(client.bus.request(Act, { n: 2 }, { actor }));
    expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(e.message).toMatch(/no responders/);
  });

  it('an idempotent request in flight when NATS restarts is sent again once it is back', async () => {
    // The first delivery is never answered (its reply would be lost anyway); the second is.
    const svc = await responder(nats.url, Read.subject, (delivery) => delivery > 1);
    try {
      const started = Date.now();
      const pending = client.bus.request(Read, { n: 3 }, { actor, maxOutageMs: 20_000 });
      await waitFor(() => svc.deliveries === 1, { what: 'the first delivery' });
      await nats.stop();
      await nats.start();
      const reply = await pending;
      expect(reply).toEqual({ n: 3, delivery: 2 });
      // Answered after the reconnect, not after the first attempt's 20 s timeout ran out.
      expect(Date.now() - started).toBeLessThan(Read.timeoutMs);
    } finally {
      await svc.close();
    }
  });

  it("a request made while the client's connection is down is sent when it is back, once", async () => {
    // Only the client's connection goes (through a proxy the test cuts): with the whole server
    // restarted, the responder's own reconnection raced the client's, and a client back first found
    // no responder — a request that is not repeatable then fails, as it should.
    const svc = await responder(nats.url, Act.subject);
    const proxy = await tcpProxy(new URL(nats.url));
    const behind = await createBusClient(proxy.url, 'orchestrator');
    try {
      await proxy.cut();
      await waitFor(() => !behind.bus.connected, { what: 'the client to see the disconnection' });
      const pending = behind.bus.request(Act, { n: 4 }, { actor });
      await proxy.restore();
      expect(await pending).toEqual({ n: 4, delivery: 1 });
      expect(svc.deliveries).toBe(1);
    } finally {
      await behind.close();
      await proxy.cut();
      await svc.close();
    }
  });
});

/** A TCP proxy to `target` whose listener and connections the test can cut and bring back. */
async function tcpProxy(target: URL): Promise<{
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((inbound) => {
        const outbound = createConnection(Number(target.port), target.hostname);
        const drop = () => {
          inbound.destroy();
          outbound.destroy();
          sockets.delete(inbound);
          sockets.delete(outbound);
        };
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on('error', drop).on('close', drop);
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server?.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    url: `nats://127.0.0.1:${port}`,
    cut: () =>
      new Promise<void>((resolve) => {
        if (!server?.listening) return resolve();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
    restore: listen,
  };
}
