import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CanActivate, type ExecutionContext, Get, Inject, Injectable } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  type Actor,
  type CommandContract,
  DomainError,
  parseOrThrow,
  Tools,
  Webhooks,
} from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor, setActor } from '../auth/current-actor.decorator.js';
import { HttpExceptionFilter } from './http-exception.filter.js';
import { type Carrier, del, get, HttpRelay, patch, post, put } from './http-relay.js';

const HOOK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const quiet = (): undefined => undefined;
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(5).default(3) }).strict();

/** Records each command sent and answers with what it was given (or the error it is told to). */
class FakeBus {
  readonly sent: { subject: string; payload: unknown; actor?: Actor }[] = [];
  refuse?: DomainError;
  async request(contract: CommandContract, payload: unknown, opts: { actor?: Actor }) {
    this.sent.push({ subject: contract.subject, payload, actor: opts.actor });
    if (this.refuse) throw this.refuse;
    return { answered: contract.subject, payload };
  }
}

/** AuthGuard's part here: `x-user-id` is the caller, none is the API's 401. */
class HeaderGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    const userId = request.headers['x-user-id'];
    if (typeof userId !== 'string') throw new DomainError('UNAUTHORIZED', 'not authenticated');
    setActor(request, { userId, tenantId: 'default', role: 'user' } as Actor);
    return true;
  }
}

const webhookOf = ({ params }: { params: Readonly<Record<string, string>> }) => ({
  webhookId: parseOrThrow(Webhooks.WebhookId, params['id'], 'webhook id'),
});

/** Sends the route's command, then a second one for the same caller (as forgetMemory does). */
const twice: Carrier<{ webhookId: string }> = async (bus, request, opts) => ({
  first: await bus.request(Webhooks.WebhookDelete, request, opts),
  then: await bus.request(Webhooks.WebhookGet, request, opts),
});

/** A service the hand-written route needs besides the bus. */
@Injectable()
class Greeting {
  readonly text = 'hello';
}

class HooksController extends HttpRelay(
  'hooks',
  post('', Webhooks.WebhookCreate, { body: Webhooks.WebhookCreateRequest, status: 201 }),
  get('', Webhooks.WebhookList, { query: ListQuery }),
  get('secret', Webhooks.WebhookSecretGet),
  post('secret/rotate', Webhooks.WebhookSecretRotate, { status: 200 }),
  post(':id/secret/rotate', Webhooks.WebhookSecretRotate, { request: webhookOf }),
  get(':id', Webhooks.WebhookGet, { request: webhookOf }),
  del(':id', Webhooks.WebhookDelete, { status: 200, request: webhookOf }),
  del(':id/twice', Webhooks.WebhookDelete, { via: twice, request: webhookOf }),
  patch('mine', Tools.MemoryList, {
    request: ({ actor }) => ({ namespace: { kind: 'user', key: actor.userId }, limit: 5 }),
  }),
) {
  constructor(
    bus: NatsBus,
    @Inject(Greeting) private readonly greeting: Greeting,
  ) {
    super(bus);
  }

  @Get('hello')
  hello(@CurrentActor() actor: Actor): { greeting: string } {
    return { greeting: `${this.greeting.text} ${actor.userId}` };
  }
}

class RootController extends HttpRelay(
  '',
  put('things/:id', Webhooks.WebhookGet, { request: webhookOf }),
) {}

describe('HttpRelay (a real Nest app on Fastify)', () => {
  let app: NestFastifyApplication;
  const bus = new FakeBus();

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      controllers: [HooksController, RootController],
      providers: [{ provide: NatsBus, useValue: bus }, Greeting],
    })
      .overrideGuard(AuthGuard)
      .useValue(new HeaderGuard())
      .compile();
    app = module.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.useGlobalFilters(new HttpExceptionFilter({ error: quiet, warn: quiet } as never));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => {
    bus.sent.length = 0;
    const res = await app.inject({ method, url, payload, headers: { 'x-user-id': 'alice' } });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };

  it('sends the validated body for the caller, answers the command with its status', async () => {
    const res = await call('POST', '/hooks', { url: 'https://example.com/hook' });
    expect(res.status).toBe(201);
    const sent = { url: 'https://example.com/hook', events: ['ended'], scope: 'own' };
    expect(bus.sent).toEqual([
      {
        subject: Webhooks.WebhookCreate.subject,
        payload: sent,
        actor: expect.objectContaining({ userId: 'alice' }),
      },
    ]);
    expect(res.body).toEqual({ answered: Webhooks.WebhookCreate.subject, payload: sent });
  });

  it('refuses a body the schema rejects, naming the field, and sends nothing', async () => {
    const res = await call('POST', '/hooks', { url: 'https://example.com/hook', colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION' });
    expect(res.body['message']).toMatch(/^invalid request body: .*colour/);
    expect(bus.sent).toEqual([]);
    expect((await call('POST', '/hooks')).body['message']).toBe(
      'request body is required (a JSON object)',
    );
  });

  it('sends the validated query, and refuses one naming the parameter', async () => {
    expect((await call('GET', '/hooks')).body).toEqual({
      answered: Webhooks.WebhookList.subject,
      payload: { limit: 3 },
    });
    const bad = await call('GET', '/hooks?limit=9');
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toMatch(/^invalid query string: limit/);
    expect(bus.sent).toEqual([]);
  });

  it('builds the command from the path, after the router picked static routes first', async () => {
    expect((await call('GET', '/hooks/secret')).body['payload']).toEqual({});
    expect((await call('GET', `/hooks/${HOOK}`)).body['payload']).toEqual({ webhookId: HOOK });
    const bad = await call('GET', '/hooks/nope');
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toMatch(/^invalid webhook id/);
    expect(bus.sent).toEqual([]);
  });

  it('builds the command for the caller the guard admitted', async () => {
    const res = await call('PATCH', '/hooks/mine');
    expect(res.status).toBe(200);
    expect(res.body['payload']).toEqual({ namespace: { kind: 'user', key: 'alice' }, limit: 5 });
  });

  it("answers with Nest's status unless the route names one", async () => {
    expect((await call('POST', '/hooks/secret/rotate')).status).toBe(200);
    expect((await call('POST', `/hooks/${HOOK}/secret/rotate`)).status).toBe(201);
    expect((await call('DELETE', `/hooks/${HOOK}`)).status).toBe(200);
    expect((await call('PUT', `/things/${HOOK}`)).body['payload']).toEqual({ webhookId: HOOK });
  });

  it('carries the command out by its `via`, for the caller, and answers what that answers', async () => {
    const res = await call('DELETE', `/hooks/${HOOK}/twice`);
    expect(res.status).toBe(200);
    const payload = { webhookId: HOOK };
    expect(bus.sent.map((s) => [s.subject, s.payload, s.actor?.userId])).toEqual([
      [Webhooks.WebhookDelete.subject, payload, 'alice'],
      [Webhooks.WebhookGet.subject, payload, 'alice'],
    ]);
    expect(res.body).toEqual({
      first: { answered: Webhooks.WebhookDelete.subject, payload },
      then: { answered: Webhooks.WebhookGet.subject, payload },
    });
    expect((await call('DELETE', '/hooks/nope/twice')).status).toBe(400);
    expect(bus.sent).toEqual([]);
  });

  it("answers the command's refusal as the error envelope", async () => {
    bus.refuse = new DomainError('NOT_FOUND', 'no such webhook');
    const res = await call('GET', `/hooks/${HOOK}`);
    bus.refuse = undefined;
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', message: 'no such webhook' });
  });

  it('puts every route, and a subclass its own methods, behind the guard', async () => {
    expect((await call('GET', '/hooks/hello')).body).toEqual({ greeting: 'hello alice' });
    const res = await app.inject({ method: 'GET', url: '/hooks/secret' });
    expect(res.statusCode).toBe(401);
    const hello = await app.inject({ method: 'GET', url: '/hooks/hello' });
    expect(hello.statusCode).toBe(401);
  });

  it('refuses a table that declares a route twice', () => {
    expect(() =>
      HttpRelay(
        'x',
        get(':id', Webhooks.WebhookGet, { request: webhookOf }),
        get(':id', Webhooks.WebhookDelete, { request: webhookOf }),
      ),
    ).toThrow('HttpRelay: GET :id is declared twice');
  });
});
