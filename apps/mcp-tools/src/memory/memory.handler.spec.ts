import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { NatsContext } from '@nestjs/microservices';
import { type Actor, type Tools } from '@switchboard/contracts';
import { buildHeaders } from '@switchboard/messaging';
import type { MemoryStore } from './memory-store.service.js';
import { MemoryHandler } from './memory.handler.js';
import type { UpdateMemoryUseCase } from './update-memory/update-memory.use-case.js';

const alice: Actor = { userId: 'alice', role: 'user', tenantId: 'acme' };
const ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

type Wrapped = (data: unknown, ctx: NatsContext) => Promise<unknown>;

/** Sends `data` to the handler's update as NATS delivers it: the actor in the headers, as the gateway sets them. */
function update(handler: MemoryHandler, data: unknown, actor?: Actor): Promise<unknown> {
  const headers = actor ? buildHeaders('gateway', { actor }) : undefined;
  const fn = (handler as unknown as Record<string, Wrapped>)['update']!;
  return fn.call(handler, data, new NatsContext(['sb.cmd.tools.memory.update', headers]));
}

function setup() {
  const calls: unknown[] = [];
  const item: Tools.MemoryItem = {
    id: ID,
    namespace: { kind: 'user', key: 'alice' },
    content: 'my favourite number is 9',
    metadata: {},
    writtenBy: { userId: 'alice', taskId: null },
    createdAt: '2026-11-26T10:00:00.000Z',
    updatedAt: '2026-11-26T11:00:00.000Z',
  };
  const updateMemory = {
    execute: async (actor: Actor, change: unknown) => (calls.push([actor, change]), item),
  } as unknown as UpdateMemoryUseCase;
  return { sut: new MemoryHandler({} as MemoryStore, updateMemory), calls, item };
}

describe(MemoryHandler.name, () => {
  it('hands an edit to the use case as the acting user, and answers the item', async () => {
    const { sut, calls, item } = setup();
    const change = { id: ID, content: 'my favourite number is 9' };
    await expect(update(sut, change, alice)).resolves.toEqual(item);
    expect(calls).toEqual([
      [expect.objectContaining({ userId: 'alice', tenantId: 'acme' }), change],
    ]);
  });

  it('refuses an edit that changes nothing, naming the field, or one without an acting user', async () => {
    const { sut, calls } = setup();
    await expect(update(sut, { id: ID }, alice)).rejects.toThrow(
      /content: give content, metadata or both/,
    );
    await expect(update(sut, { id: ID, content: 'x' })).rejects.toThrow(/no acting user/);
    expect(calls).toEqual([]);
  });
});
