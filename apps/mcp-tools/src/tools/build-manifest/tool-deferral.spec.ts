import { describe, expect, it } from '@jest/globals';
import { Tools } from '@switchboard/contracts';
import { applyDeferral, type OfferedTool } from './tool-deferral.js';

const offered = (name: string, sourceId: string, deferred?: boolean): OfferedTool => ({
  tool: {
    name,
    title: name,
    description: name,
    provider: 'p',
    inputSchema: { type: 'object' },
    idempotent: true,
  },
  sourceId,
  deferred,
});
const search = offered(Tools.SEARCH_TOOL_NAME, 'builtin', false);
const many = (n: number) => Array.from({ length: n }, (_, i) => offered(`mcp__t${i}`, 'mcp:s'));
const deferredNames = (tools: Tools.ManifestTool[]) =>
  tools.filter((t) => t.deferred).map((t) => t.name);

describe(applyDeferral.name, () => {
  it('defers nothing and leaves the search tool out at or below the threshold', () => {
    const tools = applyDeferral([offered('calc', 'builtin'), ...many(3), search], 4);
    expect(deferredNames(tools)).toEqual([]);
    expect(tools.map((t) => t.name)).not.toContain(Tools.SEARCH_TOOL_NAME);
  });

  it('past the threshold defers every external tool not pinned, keeps built-ins, adds the search tool', () => {
    const pinned = offered('mcp__pinned', 'mcp:s', false);
    const tools = applyDeferral([offered('calc', 'builtin'), pinned, ...many(3), search], 4);
    expect(deferredNames(tools)).toEqual(['mcp__t0', 'mcp__t1', 'mcp__t2']);
    expect(tools.at(-1)).toEqual(search.tool);
    expect(tools.find((t) => t.name === 'calc')).not.toHaveProperty('deferred');
  });

  it('defers a tool marked deferred at any size, and never with threshold 0 otherwise', () => {
    const tools = applyDeferral([offered('mcp__big', 'mcp:s', true), ...many(50), search], 0);
    expect(deferredNames(tools)).toEqual(['mcp__big']);
    expect(tools.map((t) => t.name)).toContain(Tools.SEARCH_TOOL_NAME);
  });
});
