import { describe, expect, it } from '@jest/globals';
import { type Actor, type Tasks, Tools } from '@switchboard/contracts';
import { toolFingerprint } from '@switchboard/runtime';
import type { BuildManifestUseCase } from '../build-manifest/build-manifest.use-case.js';
import { SearchToolsUseCase } from './search-tools.use-case.js';
import type { ToolMeaningRanker } from './tool-meaning.ranker.js';

const tool = (name: string, description: string, extra: Partial<Tools.ManifestTool> = {}) => ({
  name,
  title: name,
  description,
  provider: 'demo',
  inputSchema: { type: 'object' },
  idempotent: false,
  ...extra,
});
const ADMINS = { approvers: { requester: false, roles: ['admin'] }, allowSelf: false };
const USER_TOOLS = [
  tool('billing__refund', 'Refunds a payment to a customer.', {
    deferred: true,
    approval: ADMINS as Tools.ManifestTool['approval'],
  }),
  tool('notes.add', 'Adds a note.'),
  tool(Tools.SEARCH_TOOL_NAME, 'Finds more tools: refund payment notes.'),
];
const ADMIN_TOOLS = [...USER_TOOLS, tool('admin__purge_payments', 'Deletes every payment.')];

/**
 * The use case over manifests that depend on the caller, and what it asked for; `meaning` ranks by
 * meaning (positions in the searched tools, best first), undefined: no embeddings endpoint.
 */
function setup(
  meaning: (tools: readonly Tools.ManifestTool[], query: string) => number[] | undefined = () =>
    undefined,
) {
  const asked: { actor: Actor; constraints?: Tasks.ToolConstraints | undefined }[] = [];
  const byRole = new Map([
    ['user', USER_TOOLS],
    ['admin', ADMIN_TOOLS],
  ]);
  const manifests = {
    execute: async (actor: Actor, constraints?: Tasks.ToolConstraints) => {
      asked.push({ actor, constraints });
      return { tools: byRole.get(actor.role) ?? [], mode: 'auto', generatedAt: '', cached: true };
    },
  } as unknown as BuildManifestUseCase;
  const ranker = {
    rank: async (tools: readonly Tools.ManifestTool[], query: string) => meaning(tools, query),
  } as unknown as ToolMeaningRanker;
  return { sut: new SearchToolsUseCase(manifests, ranker), asked };
}
const alice: Actor = { userId: 'alice', role: 'user', tenantId: 'acme' };
const root: Actor = { userId: 'root', role: 'admin', tenantId: 'acme' };

describe(SearchToolsUseCase.name, () => {
  it("searches only the caller's own manifest: a tool their role may not call is never found", async () => {
    const { sut } = setup();
    const user = await sut.execute(alice, { query: 'payments' });
    expect(user.results.map((h) => h.tool.name)).toEqual(['billing__refund']);
    const admin = await sut.execute(root, { query: 'payments' });
    expect(admin.results.map((h) => h.tool.name)).toContain('admin__purge_payments');
  });

  it('passes the constraints on, and never finds the search tool itself', async () => {
    const { sut, asked } = setup();
    const constraints: Tasks.ToolConstraints = { mode: 'custom', tools: ['notes.add'] };
    const found = await sut.execute(alice, { query: 'tools notes', constraints });
    expect(asked[0]?.constraints).toEqual(constraints);
    expect(found.results.map((h) => h.tool.name)).toEqual(['notes.add']);
    expect(found.searched).toBe(2);
  });

  it('returns each hit with its schema, its approval policy and its fingerprint, not its deferral', async () => {
    const { sut } = setup();
    const [hit] = (await sut.execute(alice, { query: 'refund', limit: 1 })).results;
    expect(hit?.tool).toMatchObject({ name: 'billing__refund', approval: ADMINS });
    expect(hit?.tool).not.toHaveProperty('deferred');
    expect(hit?.fingerprint).toBe(toolFingerprint(USER_TOOLS[0]!));
    expect(
      Tools.ToolSearchResult.safeParse({ query: 'q', results: [hit], searched: 1 }).success,
    ).toBe(true);
  });

  it('fuses the ranking by words with the ranking by meaning, and finds by meaning alone', async () => {
    const position = (tools: readonly Tools.ManifestTool[], name: string) =>
      tools.findIndex((t) => t.name === name);
    // meaning puts the note first for both queries
    const { sut } = setup((tools) => [position(tools, 'notes.add')]);
    const byMeaning = await sut.execute(alice, { query: 'jot something down' });
    expect(byMeaning.results.map((h) => h.tool.name)).toEqual(['notes.add']);
    expect(byMeaning.results[0]?.score).toBeCloseTo(1 / 61, 6);
    // words find only the refund, meaning only the note: each first in one list, ties by name
    const both = await sut.execute(alice, { query: 'refund' });
    expect(both.results.map((h) => h.tool.name)).toEqual(['billing__refund', 'notes.add']);
  });

  it('searches by words alone, with BM25 scores, when there is no ranking by meaning', async () => {
    const { sut } = setup();
    expect((await sut.execute(alice, { query: 'jot something down' })).results).toEqual([]);
    const [hit] = (await sut.execute(alice, { query: 'refund' })).results;
    expect(hit?.score).toBeGreaterThan(0.5);
  });
});
