import { describe, expect, it } from '@jest/globals';
import type { Tools } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import type { EmbedAnswer, MemoryEmbedder } from '../../memory/embeddings/memory-embedder.js';
import { normalized } from '../../memory/embeddings/memory-vector.js';
import { ToolMeaningRanker, toolText } from './tool-meaning.ranker.js';

const tool = (name: string, description: string, parameters: string[] = []) =>
  ({
    name,
    title: name,
    description,
    provider: 'demo',
    inputSchema: {
      type: 'object',
      properties: Object.fromEntries(parameters.map((p) => [p, { type: 'string' }])),
    },
    idempotent: true,
  }) as Tools.ManifestTool;

const TOOLS = [
  tool('weather.get', 'Current weather for a city.', ['city']),
  tool('billing__refund', 'Gives a customer their money back.', ['paymentId']),
  tool('mail__send', 'Sends an e-mail message.', ['to']),
];

/** Words of one meaning share a direction, as a real model's synonyms are near each other. */
const CONCEPTS: Record<string, number> = {
  money: 0,
  reimburse: 0,
  back: 0,
  weather: 1,
  forecast: 1,
};

/** A fake endpoint: a vector per text from the concepts its words name; failing while `down`. */
function setup(enabled = true) {
  const asked: string[][] = [];
  const warnings: unknown[][] = [];
  const infos: unknown[][] = [];
  const endpoint = { down: false };
  const embedder = {
    enabled,
    attempt: async (texts: readonly string[]): Promise<EmbedAnswer> => {
      asked.push([...texts]);
      if (endpoint.down) return { failed: 'request', problem: 'HTTP 503: down' };
      return {
        vectors: texts.map((t) => {
          const v = [0, 0, 0.001];
          for (const w of t.toLowerCase().match(/[a-z]+/g) ?? []) {
            const at = CONCEPTS[w];
            if (at !== undefined) v[at] = (v[at] ?? 0) + 1;
          }
          return normalized(v);
        }),
      };
    },
  } as unknown as MemoryEmbedder;
  const logger = {
    warn: (...a: unknown[]) => warnings.push(a),
    info: (...a: unknown[]) => infos.push(a),
  } as unknown as Logger;
  const sut = new ToolMeaningRanker(embedder, { MEMORY_EMBEDDINGS_MIN_SCORE: 0.5 }, logger);
  return { sut, asked, warnings, infos, endpoint };
}

describe(ToolMeaningRanker.name, () => {
  it('ranks by meaning a query sharing no word with the tool, leaving out what is not near', async () => {
    const { sut } = setup();
    expect(await sut.rank(TOOLS, 'reimburse the client')).toEqual([1]);
    expect(await sut.rank(TOOLS, 'tomorrow forecast')).toEqual([0]);
  });

  it('embeds each tool once per definition, the query on every search', async () => {
    const { sut, asked } = setup();
    await sut.rank(TOOLS, 'reimburse');
    // another offer (another caller) of the same definitions, and one changed
    const changed = tool('mail__send', 'Sends an e-mail message, with attachments.', ['to']);
    await sut.rank([TOOLS[0]!, TOOLS[1]!, changed], 'reimburse');
    await sut.rank(TOOLS, 'forecast');
    const toolTexts = asked.flat().filter((t) => t.includes('\n'));
    expect(toolTexts).toEqual([...TOOLS.map(toolText), toolText(changed)]);
    expect(asked.flat().filter((t) => !t.includes('\n'))).toEqual([
      'reimburse',
      'reimburse',
      'forecast',
    ]);
  });

  it('gives nothing (words alone) when no endpoint is configured, asking none', async () => {
    const { sut, asked } = setup(false);
    expect(await sut.rank(TOOLS, 'reimburse')).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('falls back when the endpoint fails, logs it once, and says when it answers again', async () => {
    const { sut, endpoint, warnings, infos } = setup();
    endpoint.down = true;
    expect(await sut.rank(TOOLS, 'reimburse')).toBeUndefined();
    expect(await sut.rank(TOOLS, 'forecast')).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toEqual([
      { reason: 'HTTP 503: down' },
      expect.stringContaining('words only'),
    ]);
    endpoint.down = false;
    expect(await sut.rank(TOOLS, 'reimburse')).toEqual([1]);
    expect(infos).toHaveLength(1);
  });

  it("embeds a tool's name in words, its description and its parameter names", () => {
    expect(toolText(TOOLS[1]!)).toBe(
      'billing refund\nGives a customer their money back.\nParameters: payment Id',
    );
  });
});
