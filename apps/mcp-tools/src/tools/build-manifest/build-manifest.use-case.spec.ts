import { describe, expect, it } from '@jest/globals';
import type { Actor } from '@switchboard/contracts';
import type { ManifestCache } from '../../cache/manifest-cache.js';
import type { ToolRegistry } from '../../registry/tool-registry.service.js';
import type { TaskOffers } from '../task-offers.store.js';
import type { ToolAccessChecker } from '../tool-access.checker.js';
import { BuildManifestUseCase } from './build-manifest.use-case.js';

const alice: Actor = { userId: 'alice', role: 'user' };
const schema = { type: 'object', properties: {} };
const tool = (name: string, needs: string[] = []) => ({
  definition: {
    name,
    title: name,
    description: `the ${name}`,
    provider: 'builtin',
    inputSchema: schema,
    idempotent: true,
  },
  needs,
});

/** The use case over a cache that starts empty, and what it stored and recorded. */
function setup() {
  let stored: unknown;
  let builds = 0;
  const offers: { taskId: string; tools: string[] }[] = [];
  const cache = {
    lookup: async () => ({ entry: stored }),
    store: async (_slot: unknown, entry: unknown) => void (stored = entry),
  } as unknown as ManifestCache;
  const access = {
    permitted: async () => {
      builds++;
      return [tool('calculator'), tool('web_search', ['SEARCH_API_KEY'])];
    },
  } as unknown as ToolAccessChecker;
  const registry = { version: 3 } as unknown as ToolRegistry;
  const taskOffers = {
    record: async (_u: string, taskId: string, tools: string[]) =>
      void offers.push({ taskId, tools }),
  } as unknown as TaskOffers;
  const sut = new BuildManifestUseCase(registry, access, cache, taskOffers);
  return { sut, offers, builds: () => builds };
}

describe(BuildManifestUseCase.name, () => {
  it('offers the tools that can run, and lists the unconfigured ones apart with what they need', async () => {
    const { sut } = setup();
    const manifest = await sut.execute(alice, undefined);
    expect(manifest.tools.map((t) => t.name)).toEqual(['calculator']);
    expect(manifest.unconfigured).toEqual([
      expect.objectContaining({ name: 'web_search', needs: ['SEARCH_API_KEY'] }),
    ]);
    expect(manifest).toMatchObject({ mode: 'auto', cached: false });
  });

  it('answers the next request from the cache without asking the access rules again', async () => {
    const { sut, builds } = setup();
    await sut.execute(alice, undefined);
    const again = await sut.execute(alice, undefined);
    expect(again.cached).toBe(true);
    expect(builds()).toBe(1);
  });

  it('remembers what a task was offered: its calls may use only those tools', async () => {
    const { sut, offers } = setup();
    await sut.execute(alice, { mode: 'auto' }, 't1');
    expect(offers).toEqual([{ taskId: 't1', tools: ['calculator'] }]);
  });
});
