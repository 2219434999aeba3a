import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { NatsContext } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { type Actor, Tools } from '@switchboard/contracts';
import { buildHeaders } from '@switchboard/messaging';
import { MemoryStore } from './memory-store.service.js';
import { MemoryRelay } from './memory.relay.js';
import { UpdateMemoryUseCase } from './update-memory/update-memory.use-case.js';

const alice: Actor = { userId: 'alice', role: 'user', tenantId: 'acme' };
const ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

type Wrapped = (data: unknown, ctx: NatsContext) => Promise<unknown>;

const item: Tools.MemoryItem = {
  id: ID,
  namespace: { kind: 'user', key: 'alice' },
  content: 'my favourite number is 9',
  metadata: {},
  writtenBy: { userId: 'alice', taskId: null },
  createdAt: '2026-11-26T10:00:00.000Z',
  updatedAt: '2026-11-26T11:00:00.000Z',
};

async function setup() {
  const calls: unknown[] = [];
  const store = {
    list: async (actor: Actor, namespace: unknown, limit: number) => (
      calls.push(['list', actor.userId, namespace, limit]),
      [item]
    ),
    forgetUser: async (actor: Actor, userId: string) => (
      calls.push(['forgetUser', actor.userId, userId]),
      { userId, deleted: 2, verified: true }
    ),
  };
  const updateMemory = {
    execute: async (change: unknown, actor: Actor) => (calls.push(['update', change, actor]), item),
  };
  const app = await Test.createTestingModule({
    controllers: [MemoryRelay],
    providers: [
      { provide: MemoryStore, useValue: store },
      { provide: UpdateMemoryUseCase, useValue: updateMemory },
    ],
  }).compile();
  const sut = app.get(MemoryRelay) as Record<string, Wrapped>;
  /** Sends `data` as NATS delivers it: the actor in the headers, as the gateway sets them. */
  const send = (subject: string, data: unknown, actor?: Actor): Promise<unknown> => {
    const headers = actor ? buildHeaders('gateway', { actor }) : undefined;
    return sut[subject]!.call(sut, data, new NatsContext([subject, headers]));
  };
  return { send, calls };
}

describe(MemoryRelay.name, () => {
  it('hands an edit to the use case as the acting user, and answers the item', async () => {
    const { send, calls } = await setup();
    const change = { id: ID, content: 'my favourite number is 9' };
    await expect(send(Tools.MemoryUpdate.subject, change, alice)).resolves.toEqual(item);
    expect(calls).toEqual([
      ['update', change, expect.objectContaining({ userId: 'alice', tenantId: 'acme' })],
    ]);
  });

  it('refuses an edit that changes nothing, naming the field, or one without an acting user', async () => {
    const { send, calls } = await setup();
    await expect(send(Tools.MemoryUpdate.subject, { id: ID }, alice)).rejects.toThrow(
      /content: give content, metadata or both/,
    );
    await expect(send(Tools.MemoryUpdate.subject, { id: ID, content: 'x' })).rejects.toThrow(
      /no acting user/,
    );
    expect(calls).toEqual([]);
  });

  it("asks the store with the request's fields for the acting user, answering in the command's shape", async () => {
    const { send, calls } = await setup();
    const namespace = { kind: 'user', key: 'alice' };
    await expect(send(Tools.MemoryList.subject, { namespace, limit: 5 }, alice)).resolves.toEqual({
      items: [item],
    });
    await expect(send(Tools.MemoryForgetUser.subject, { userId: 'alice' }, alice)).resolves.toEqual(
      { userId: 'alice', deleted: 2, verified: true },
    );
    expect(calls).toEqual([
      ['list', 'alice', namespace, 5],
      ['forgetUser', 'alice', 'alice'],
    ]);
  });
});
