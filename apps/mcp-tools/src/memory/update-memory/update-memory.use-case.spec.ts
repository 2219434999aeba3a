import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError, type Tools } from '@switchboard/contracts';
import type { AuditEvent, AuditTrail } from '@switchboard/messaging';
import type { MemoryEmbedder } from '../embeddings/memory-embedder.js';
import type { MemoryMeaningSearch } from '../embeddings/memory-meaning-search.js';
import { MemoryStore } from '../memory-store.service.js';
import type { MemoryEdit, MemoryRepository, StoredMemory } from '../memory.repository.js';
import { UpdateMemoryUseCase } from './update-memory.use-case.js';

const alice: Actor = { userId: 'alice', role: 'user', tenantId: 'acme' };
const bob: Actor = { userId: 'bob', role: 'user', tenantId: 'acme' };
const ann: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };
const globexAlice: Actor = { ...alice, tenantId: 'globex' };

const ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const stored = (over: Partial<StoredMemory> = {}): StoredMemory => ({
  id: ID,
  namespace: { kind: 'user', key: 'alice' },
  content: 'my favourite number is 7',
  metadata: {},
  writtenBy: { userId: 'alice', taskId: null },
  createdAt: '2026-11-26T10:00:00.000Z',
  updatedAt: '2026-11-26T10:00:00.000Z',
  ownerId: 'alice',
  ...over,
});

/** The use case over the real MemoryStore (its rights), a scripted repository and embedder. */
function setup(opts: {
  item?: StoredMemory;
  elsewhere?: boolean;
  vector?: boolean;
  gone?: boolean;
}) {
  const audits: AuditEvent[] = [];
  const edits: { tenantId: string; id: string; edit: MemoryEdit }[] = [];
  const embedded: string[][] = [];
  const items = {
    find: async (tenantId: string) => (tenantId === 'acme' ? (opts.item ?? undefined) : undefined),
    inOtherTenant: async () => opts.elsewhere ?? false,
    update: async (tenantId: string, id: string, edit: MemoryEdit) => {
      edits.push({ tenantId, id, edit });
      if (opts.gone || !opts.item) return undefined;
      const item = { ...opts.item, ...(edit.content ? { content: edit.content } : {}) };
      return {
        item: { ...item, metadata: edit.metadata ?? item.metadata },
        before: 'h0',
        after: 'h1',
      };
    },
  } as unknown as MemoryRepository;
  const audit = {
    record: async (e: AuditEvent) => void audits.push(e),
  } as unknown as AuditTrail;
  const embedder = {
    model: opts.vector ? 'stub@4' : undefined,
    embed: async (texts: string[]) => {
      embedded.push(texts);
      return opts.vector ? [new Float32Array([1, 0, 0, 0])] : undefined;
    },
  } as unknown as MemoryEmbedder;
  const store = new MemoryStore(items, audit, embedder, {} as MemoryMeaningSearch);
  const sut = new UpdateMemoryUseCase(audit, embedder, items, store);
  return { sut, audits, edits, embedded };
}

const refusal = async (p: Promise<unknown>): Promise<DomainError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(e)}`);
  return e;
};

describe(UpdateMemoryUseCase.name, () => {
  it('replaces the content and its vector in one edit, and audits hashes, never the content', async () => {
    const { sut, audits, edits, embedded } = setup({ item: stored(), vector: true });
    const updated = await sut.execute({ id: ID, content: 'my favourite number is 9' }, alice);

    expect(updated).toMatchObject({ id: ID, content: 'my favourite number is 9' });
    expect(updated).not.toHaveProperty('ownerId');
    expect(embedded).toEqual([['my favourite number is 9']]);
    expect(edits).toEqual([
      {
        tenantId: 'acme',
        id: ID,
        edit: {
          content: 'my favourite number is 9',
          metadata: undefined,
          embedding: { model: 'stub@4', vector: new Float32Array([1, 0, 0, 0]) },
        },
      },
    ]);
    expect(audits).toEqual([
      {
        category: 'tool',
        action: 'memory.update',
        outcome: 'success',
        resource: `memory/${ID}`,
        details: {
          namespace: 'user:alice',
          changed: ['content'],
          contentSha256Before: 'h0',
          contentSha256After: 'h1',
        },
      },
    ]);
    expect(JSON.stringify(audits)).not.toContain('favourite');
  });

  it('clears the vector when the new content could not be embedded: the old meaning is not found', async () => {
    const { sut, edits } = setup({ item: stored(), vector: false });
    await sut.execute({ id: ID, content: 'my cat is called Tom' }, alice);
    expect(edits[0]?.edit.embedding).toBeNull();
  });

  it('keeps content and vector when only the metadata changes', async () => {
    const { sut, edits, embedded, audits } = setup({ item: stored(), vector: true });
    const updated = await sut.execute({ id: ID, metadata: { source: 'console' } }, alice);
    expect(updated.metadata).toEqual({ source: 'console' });
    expect(embedded).toEqual([]);
    expect(edits[0]?.edit).toEqual({ content: undefined, metadata: { source: 'console' } });
    expect(audits[0]?.details).toMatchObject({ changed: ['metadata'] });
  });

  it("answers another user's item as not found, audited as denied, and changes nothing", async () => {
    const { sut, audits, edits } = setup({ item: stored() });
    const e = await refusal(sut.execute({ id: ID, content: 'mine now' }, bob));
    expect(e).toMatchObject({
      code: 'NOT_FOUND',
      message: `memory item ${ID} not found (or not yours)`,
    });
    expect(edits).toEqual([]);
    expect(audits).toEqual([
      expect.objectContaining({
        action: 'memory.update',
        outcome: 'denied',
        resource: `memory/${ID}`,
        details: { reason: 'not_owner' },
      }),
    ]);
  });

  it("answers another tenant's item as not found, audited in the caller's tenant as other_tenant", async () => {
    const { sut, audits, edits } = setup({ elsewhere: true });
    const e = await refusal(sut.execute({ id: ID, content: 'x' }, globexAlice));
    expect(e.code).toBe('NOT_FOUND');
    expect(edits).toEqual([]);
    expect(audits).toEqual([
      expect.objectContaining({ outcome: 'denied', details: { reason: 'other_tenant' } }),
    ]);
  });

  it("refuses an admin a user's item (admins read and delete it, never write it), and a user the tenant's", async () => {
    const admin = setup({ item: stored() });
    const e = await refusal(admin.sut.execute({ id: ID, content: 'x' }, ann));
    expect(e).toMatchObject({
      code: 'FORBIDDEN',
      message: `you may not edit memory item ${ID}: only its own user edits a user item`,
    });
    expect(admin.audits[0]?.details).toEqual({ reason: 'not_owner' });

    const handbook: Tools.MemoryNamespace = { kind: 'tenant', key: 'handbook' };
    const user = setup({ item: stored({ namespace: handbook, ownerId: '' }) });
    const f = await refusal(user.sut.execute({ id: ID, content: 'x' }, alice));
    expect(f.message).toBe(`you may not edit memory item ${ID}: needs the admin role`);
    expect(user.audits[0]?.details).toEqual({ reason: 'needs_admin' });
    expect([...admin.edits, ...user.edits]).toEqual([]);

    const shared = setup({ item: stored({ namespace: handbook, ownerId: '' }) });
    await expect(
      shared.sut.execute({ id: ID, content: 'closes at 7pm' }, ann),
    ).resolves.toMatchObject({ content: 'closes at 7pm', namespace: handbook });
  });

  it('answers not found when the item went between the check and the edit, and audits no success', async () => {
    const { sut, audits } = setup({ item: stored(), gone: true });
    expect((await refusal(sut.execute({ id: ID, content: 'x' }, alice))).code).toBe('NOT_FOUND');
    expect(audits).toEqual([]);
  });
});
