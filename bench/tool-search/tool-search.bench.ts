// Tool search at scale: `npm run bench -- tool-search [--rounds 2000]`. In process, no services: the
// search mcp-tools runs for `sb.cmd.tools.search` and for the `search_tools` tool (SearchToolsUseCase
// over a cached offer, as its manifest cache serves it) at 500 and 5,000 generated tools
// (libs/testing generated-tools.ts), with the 50 varied requests of the tool-search int spec as
// queries. Reports the first search of the process and of a new offer (each builds its index), the
// median and p95 of the searches after it, how often the top hit is the right tool, and what deferral saves: the bytes of
// the tool definitions the LLM planner's first request carries, deferral off and on. Prints JSON.
import type { Actor, Tools } from '@switchboard/contracts';
import { generatedTools, toolRequests } from '@switchboard/testing';
import { SearchToolsTool } from '../../apps/mcp-tools/src/builtins/search-tools.tool.js';
import { applyDeferral } from '../../apps/mcp-tools/src/tools/build-manifest/tool-deferral.js';
import type { BuildManifestUseCase } from '../../apps/mcp-tools/src/tools/build-manifest/build-manifest.use-case.js';
import { SearchToolsUseCase } from '../../apps/mcp-tools/src/tools/search-tools/search-tools.use-case.js';
import type { ToolMeaningRanker } from '../../apps/mcp-tools/src/tools/search-tools/tool-meaning.ranker.js';
import { ToolCatalog } from '../../apps/orchestrator/src/planning/llm/tool-catalog.js';
import { percentile } from '../stats.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const ROUNDS = arg('rounds', 2_000);
const actor: Actor = { userId: 'bench', role: 'user' };
const round = (x: number): number => Math.round(x * 1000) / 1000;

function offerOf(count: number): Tools.ManifestTool[] {
  return generatedTools(count).map((t) => ({
    name: `corp__${t.name}`,
    title: t.name,
    description: t.description,
    provider: 'corp',
    inputSchema: t.inputSchema,
    idempotent: false,
  }));
}

/** What the LLM planner's first request carries of tool definitions: its functions, as JSON. */
function definitionBytes(tools: readonly Tools.ManifestTool[]): number {
  return Buffer.byteLength(JSON.stringify(new ToolCatalog(tools, []).functions));
}

/** The search by words alone (BM25): no embeddings endpoint, as mcp-tools runs without one. */
const WORDS_ONLY = { rank: () => Promise.resolve(undefined) } as unknown as ToolMeaningRanker;

async function measure(count: number) {
  const tools = offerOf(count);
  const manifests = {
    execute: () => Promise.resolve({ tools, mode: 'auto', generatedAt: '', cached: true }),
  } as unknown as BuildManifestUseCase;
  const search = new SearchToolsUseCase(manifests, WORDS_ONLY);
  const requests = toolRequests(50);
  const firstQuery = requests[0]?.text ?? 'create';
  let t = performance.now();
  await search.execute(actor, { query: firstQuery });
  const first = performance.now() - t;
  // A new manifest (a registry change, another user's offer) is indexed again, the code warm now.
  const again = new SearchToolsUseCase(
    {
      execute: () =>
        Promise.resolve({ tools: [...tools], mode: 'auto', generatedAt: '', cached: true }),
    } as unknown as BuildManifestUseCase,
    WORDS_ONLY,
  );
  t = performance.now();
  await again.execute(actor, { query: firstQuery });
  const rebuilt = performance.now() - t;
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    t = performance.now();
    await search.execute(actor, { query: requests[i % requests.length]?.text ?? firstQuery });
    samples.push(performance.now() - t);
  }
  let right = 0;
  for (const r of requests) {
    const top = (await search.execute(actor, { query: r.text, limit: 1 })).results[0];
    if (top?.tool.name === `corp__${r.tool}`) right++;
  }
  const { definition: d } = new SearchToolsTool(search);
  const searchTool = { ...d, idempotent: true } as Tools.ManifestTool;
  const deferred = applyDeferral(
    [
      ...tools.map((tool) => ({ tool, sourceId: 'mcp:corp', deferred: undefined })),
      { tool: searchTool, sourceId: 'builtin', deferred: false },
    ],
    40,
  ).filter((tool) => !tool.deferred);
  return {
    tools: count,
    firstSearchMs: round(first),
    newOfferSearchMs: round(rebuilt),
    medianMs: round(percentile(samples, 50)),
    p95Ms: round(percentile(samples, 95)),
    topHitRight: `${right}/${requests.length}`,
    definitionBytes: { deferralOff: definitionBytes(tools), deferralOn: definitionBytes(deferred) },
  };
}

const results = [];
for (const count of [500, 5_000]) results.push(await measure(count));
console.log(JSON.stringify({ rounds: ROUNDS, results }, null, 2));
