import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import { RpcException } from '@nestjs/microservices';
import {
  DomainError,
  Headers,
  type NatsIdentity,
  TAP_WATCH_SUBJECT,
  Tools,
} from '@switchboard/contracts';
import { currentService, type Metrics, runAsService } from '@switchboard/observability';
import { catchError, from, type Observable, throwError } from 'rxjs';
import { CommandServer } from './command-server.js';
import { HandleCommand } from './handle-command.decorator.js';
import { LocalCommands, localCommands } from './local-commands.js';
import { COPY_BATCH_MS, unpackTapBatch } from './local-traffic.js';
import type { MessageMeta } from './message-meta.js';
import { NatsBus } from './nats-bus.service.js';

const MANIFEST: Tools.Manifest = {
  tools: [],
  mode: 'auto',
  generatedAt: '2026-11-27T00:00:00.000Z',
  cached: false,
};

/** A service's handler as the decorator makes it, answering what the test says. */
class ManifestHandler {
  seen: { input: unknown; meta: MessageMeta; service: string | undefined }[] = [];
  answer: unknown = MANIFEST;

  @HandleCommand(Tools.ToolsManifest)
  manifest(input: unknown, meta: MessageMeta): unknown {
    this.seen.push({ input, meta, service: currentService() });
    if (this.answer instanceof DomainError) throw this.answer;
    return this.answer;
  }
}

/** What Nest does around a handler: its exception filter turns a thrown RpcException into its body. */
function asNest(handler: ManifestHandler) {
  const method = handler.manifest.bind(handler) as unknown as (d: unknown, c: unknown) => unknown;
  return (data: unknown, ctx: unknown): Promise<Observable<unknown>> =>
    Promise.resolve(
      from(Promise.resolve(method(data, ctx))).pipe(
        catchError((e: unknown) =>
          throwError(() => (e instanceof RpcException ? e.getError() : e)),
        ),
      ),
    );
}

/** NATS as far as these tests go: every publish and request recorded, no request answered. */
function fakeNats() {
  const published: { subject: string; data: Uint8Array }[] = [];
  const requests: string[] = [];
  const subscribed = new Map<string, (err: Error | null, msg: unknown) => void>();
  const nc = {
    publish: (subject: string, data: Uint8Array) => published.push({ subject, data }),
    subscribe: (subject: string, opts: { callback: (err: Error | null, msg: unknown) => void }) => {
      subscribed.set(subject, opts.callback);
      return { getSubject: () => subject, isClosed: () => false, unsubscribe: () => undefined };
    },
    request: (subject: string) => {
      requests.push(subject);
      return Promise.reject(new Error('no NATS in this test'));
    },
    status: () => ({
      [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => undefined) }),
    }),
    isClosed: () => false,
  };
  /** A watcher says it watches the copies (what TrafficTap publishes on TAP_WATCH_SUBJECT). */
  const watcher = () =>
    subscribed.get(TAP_WATCH_SUBJECT)?.(null, {
      subject: TAP_WATCH_SUBJECT,
      data: new Uint8Array(),
      headers: undefined,
      reply: '',
    });
  return { nc: nc as unknown as NatsConnection, published, requests, watcher };
}

const servers: CommandServer[] = [];
afterEach(() => Promise.all(servers.splice(0).map((s) => s.drain(Date.now() + 1_000))));

/** A cell of one: mcp-tools' command server, its manifest handler registered in-process. */
function cell() {
  localCommands.enable();
  const handler = new ManifestHandler();
  const server = new CommandServer({ servers: [] });
  servers.push(server);
  server.addHandler(Tools.ToolsManifest.pattern, asNest(handler) as never, false);
  // what listening does: the NATS subscriptions (none here), then the in-process offer
  runAsService('mcp-tools', () =>
    server.bindEvents({
      subscribe: () => ({ drain: () => Promise.resolve() }),
    } as unknown as NatsConnection),
  );
  const bus = (service: NatsIdentity) => {
    const nats = fakeNats();
    const sut = new NatsBus(nats.nc, { service, instance: 't', nats: { servers: [] } }, {
      observeNatsRequest: jest.fn(),
    } as unknown as Metrics);
    return { sut, nats };
  };
  return { handler, server, bus };
}

async function failure(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a failure');
}

describe('the in-process bus (a cell)', () => {
  it('serves a caller the contract names in the process: the handler sees what NATS would have carried, nothing crosses NATS but one batch of copies', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    try {
      const { handler, bus } = cell();
      const { sut, nats } = bus('orchestrator');
      nats.watcher();
      const reply = await runAsService('orchestrator', () =>
        sut.request(Tools.ToolsManifest, {}, { correlationId: 'corr-1' }),
      );
      expect(reply).toEqual(MANIFEST);
      expect(handler.seen).toHaveLength(1);
      // the responder's work, as when NATS delivers it (its spans are the service's own)
      expect(handler.seen[0]!.service).toBe('mcp-tools');
      expect(handler.seen[0]!.meta).toMatchObject({
        subject: 'sb.cmd.tools.manifest',
        correlationId: 'corr-1',
        replyTo: 'orchestrator',
      });
      expect(nats.requests).toEqual([]);
      expect(nats.published).toEqual([]);
      jest.advanceTimersByTime(COPY_BATCH_MS);
      expect(nats.published.map((p) => p.subject)).toEqual(['sb.tap.orchestrator']);
      const copies = unpackTapBatch(nats.published[0]!.data);
      if (typeof copies === 'string') throw new Error(copies);
      expect(copies.map((c) => c.subject)).toEqual([
        'sb.cmd.tools.manifest',
        expect.stringMatching(/^_INBOX\.orchestrator\.local\./),
      ]);
      expect(copies[0]!.reply).toBe(copies[1]!.subject);
      expect(copies[0]!.header(Headers.correlationId)).toBe('corr-1');
    } finally {
      jest.useRealTimers();
    }
  });

  it('copies nothing when no watcher says it watches: nothing at all crosses NATS', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    try {
      const { bus } = cell();
      const { sut, nats } = bus('orchestrator');
      await runAsService('orchestrator', () => sut.request(Tools.ToolsManifest, {}, {}));
      jest.advanceTimersByTime(COPY_BATCH_MS);
      expect(nats.published).toEqual([]);
      expect(nats.requests).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a caller the contract does not name, as NATS does, without running the handler', async () => {
    const { handler, bus } = cell();
    const { sut, nats } = bus('audit');
    const e = await failure(sut.request(Tools.ToolsManifest, {}));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toContain('sb.cmd.tools.manifest');
    expect(handler.seen).toEqual([]);
    expect(nats.requests).toEqual([]);
  });

  it("applies the contract's schemas: an invalid request never leaves the caller, an invalid reply fails as from NATS", async () => {
    const { handler, bus } = cell();
    const { sut } = bus('gateway');
    const bad = await failure(sut.request(Tools.ToolsManifest, { extra: 1 } as never));
    expect(bad.code).toBe('VALIDATION');
    handler.answer = { tools: 'none' };
    const invalid = await failure(sut.request(Tools.ToolsManifest, {}));
    // the handler's own check of its reply (INTERNAL, as a NATS caller gets it)
    expect(invalid.code).toBe('INTERNAL');
    expect(invalid.message).toContain('produced an invalid reply');
  });

  it("hands back the handler's error with its code", async () => {
    const { handler, bus } = cell();
    handler.answer = new DomainError('NOT_FOUND', 'no such user');
    const { sut } = bus('gateway');
    const e = await failure(sut.request(Tools.ToolsManifest, {}, { retry: false }));
    expect(e.code).toBe('NOT_FOUND');
  });

  it('is off unless the process turns it on (a service on its own, a test, a tool)', () => {
    const registry = new LocalCommands();
    const server = new CommandServer({ servers: [] });
    registry.register([Tools.ToolsManifest.pattern], server);
    expect(registry.responderFor(Tools.ToolsManifest.pattern)).toBeUndefined();
    registry.enable();
    const withdraw = registry.register([Tools.ToolsManifest.pattern], server);
    expect(registry.responderFor(Tools.ToolsManifest.pattern)).toBe(server);
    withdraw();
    expect(registry.responderFor(Tools.ToolsManifest.pattern)).toBeUndefined();
  });

  it('sends over NATS once the server drains (a replica elsewhere serves it)', async () => {
    const { server, bus } = cell();
    await server.drain(Date.now() + 1_000);
    const { sut, nats } = bus('orchestrator');
    await failure(sut.request(Tools.ToolsManifest, {}, { retry: false }));
    expect(nats.requests).toEqual(['sb.cmd.tools.manifest']);
  });
});
