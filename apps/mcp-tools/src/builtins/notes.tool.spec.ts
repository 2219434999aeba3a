import { describe, expect, it } from '@jest/globals';
import { type Actor, type DomainError, type Tools } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import type { ToolContext } from '../registry/tool-implementation.js';
import type { NotesRepository, StoredNote } from './notes.repository.js';
import { NotesAddTool, NotesGetTool, NotesListTool } from './notes.tool.js';

const alice: Actor = { userId: 'alice', role: 'user' };
const bob: Actor = { userId: 'bob', role: 'user' };
const admin: Actor = { userId: 'root', role: 'admin' };
const acmeAlice: Actor = { userId: 'alice', role: 'user', tenantId: 'acme' };
const acmeAdmin: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };
const operator: Actor = { userId: 'ops', role: 'platform-admin', tenantId: 'globex' };

/** The notes tools over an in-memory store that scopes as the repository does, and what was audited. */
function setup() {
  const stored: StoredNote[] = [];
  const notes = {
    add: async (owner: { tenantId: string; userId: string }, content: string) => {
      const note = {
        id: `n${stored.length + 1}`,
        title: null,
        content,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, stored.length)).toISOString(),
      };
      stored.push({ ...note, ...owner });
      return note;
    },
    find: async (id: string) => stored.find((n) => n.id === id),
    list: async (userId: string, tenants: { tenantId?: string }) =>
      stored
        .filter((n) => n.userId === userId)
        .filter((n) => tenants.tenantId === undefined || n.tenantId === tenants.tenantId)
        .map(({ id, title, content, createdAt }) => ({ id, title, content, createdAt }))
        .reverse(),
  } as unknown as NotesRepository;
  const audits: Record<string, unknown>[] = [];
  const audit = { record: async (r: Record<string, unknown>) => void audits.push(r) };
  const add = new NotesAddTool(notes);
  const get = new NotesGetTool(notes, audit as unknown as AuditTrail);
  const list = new NotesListTool(notes);
  const ctx = (actor: Actor): ToolContext => ({
    actor,
    taskId: '3f1d2c4b-0000-4000-8000-000000000001',
    credentials: {},
    signal: new AbortController().signal,
  });
  return {
    stored,
    audits,
    add: (actor: Actor, content: string) => add.run({ content }, ctx(actor)) as Promise<Tools.Note>,
    get: (actor: Actor, id: string) => get.run({ id }, ctx(actor)),
    list: async (actor: Actor) =>
      ((await list.run({}, ctx(actor))) as { notes: Tools.Note[] }).notes.map((n) => n.content),
  };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as DomainError,
  );

describe('notes tools and tenants', () => {
  it("stores a note in the writer's tenant", async () => {
    const t = setup();
    await t.add(alice, 'mine');
    await t.add(acmeAlice, 'acme');
    expect(t.stored.map((n) => [n.tenantId, n.userId, n.content])).toEqual([
      ['default', 'alice', 'mine'],
      ['acme', 'alice', 'acme'],
    ]);
  });

  it("answers another tenant's note exactly as a missing one, audited as other_tenant", async () => {
    const t = setup();
    const theirs = await t.add(acmeAlice, 'acme secret');
    // Alice of the default tenant: the same user id, another tenant.
    const refused = await failure(t.get(alice, theirs.id));
    const missing = await failure(t.get(alice, 'no-such-note'));
    expect(refused).toMatchObject({ code: 'NOT_FOUND', message: `note ${theirs.id} not found` });
    expect(refused.details).toEqual(missing.details);
    // A tenant admin does not reach past their tenant either.
    await expect(failure(t.get(admin, theirs.id))).resolves.toMatchObject({ code: 'NOT_FOUND' });
    const otherTenant = expect.objectContaining({
      category: 'tool',
      action: 'tool.call',
      outcome: 'denied',
      resource: 'notes.get',
      details: { tool: 'notes.get', noteId: theirs.id, reason: 'other_tenant' },
    }) as unknown;
    // One record per refusal of the other tenant's note (the missing one is no such refusal).
    expect(t.audits).toEqual([otherTenant, otherTenant]);
    // Nothing of the note is named in the record: not its tenant, owner or content.
    expect(JSON.stringify(t.audits)).not.toMatch(/acme|secret/);
  });

  it('lets the owner and an admin of its tenant read a note, and another user of it not', async () => {
    const t = setup();
    const note = await t.add(acmeAlice, 'hello');
    await expect(t.get(acmeAlice, note.id)).resolves.toEqual(note);
    await expect(t.get(acmeAdmin, note.id)).resolves.toEqual(note);
    const other = await failure(t.get({ ...bob, tenantId: 'acme' }, note.id));
    expect(other.code).toBe('NOT_FOUND');
    // Same tenant, someone else's note: refused as before tenants, not audited as other_tenant.
    expect(t.audits).toEqual([]);
  });

  it('lets the platform operator read a note of any tenant', async () => {
    const t = setup();
    const note = await t.add(acmeAlice, 'hello');
    await expect(t.get(operator, note.id)).resolves.toEqual(note);
    expect(t.audits).toEqual([]);
  });

  it("lists the caller's notes of their own tenant; the platform operator's of every tenant", async () => {
    const t = setup();
    await t.add(alice, 'default one');
    await t.add(acmeAlice, 'acme one');
    await t.add({ ...operator, tenantId: 'acme' }, 'ops in acme');
    await t.add(operator, 'ops in globex');
    expect(await t.list(alice)).toEqual(['default one']);
    expect(await t.list(acmeAlice)).toEqual(['acme one']);
    expect(await t.list(operator)).toEqual(['ops in globex', 'ops in acme']);
  });
});
