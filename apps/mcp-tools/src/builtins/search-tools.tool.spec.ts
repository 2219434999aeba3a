import { describe, expect, it } from '@jest/globals';
import { type Actor, Tools } from '@switchboard/contracts';
import type { SearchToolsUseCase } from '../tools/search-tools/search-tools.use-case.js';
import type { ToolContext } from '../registry/tool-implementation.js';
import { SearchToolsTool } from './search-tools.tool.js';

describe(SearchToolsTool.name, () => {
  it("searches as the calling user, under the call's constraints, and is never deferred", async () => {
    const asked: unknown[] = [];
    const search = {
      execute: async (actor: Actor, req: Tools.ToolSearchRequest) => {
        asked.push({ actor, req });
        return { query: req.query, results: [], searched: 0 };
      },
    } as unknown as SearchToolsUseCase;
    const sut = new SearchToolsTool(search);
    const actor: Actor = { userId: 'alice', role: 'user' };
    const constraints = { mode: 'custom' as const, tools: ['a'] };
    await sut.run({ query: 'send mail', limit: 3 }, {
      actor,
      constraints,
      credentials: {},
      signal: new AbortController().signal,
    } as ToolContext);
    expect(asked).toEqual([{ actor, req: { query: 'send mail', limit: 3, constraints } }]);
    expect(Tools.ToolDefinition.parse(sut.definition)).toMatchObject({
      name: Tools.SEARCH_TOOL_NAME,
      deferred: false,
    });
  });
});
