import type { Tools } from '@switchboard/contracts';

/** BM25's usual constants: term-frequency saturation and length normalisation. */
const K1 = 1.2;
const B = 0.75;

/**
 * How much each part of a tool weighs (its terms are counted that many times): a word of its name says
 * more of what it does than one of a long description. Parameter names say what it takes.
 */
const WEIGHTS = { name: 3, title: 2, parameters: 2, description: 1 } as const;

/** Words that say nothing of what a tool does. */
const STOP_WORDS = new Set(
  'a an and are as at be by can do does for from get i in is it me my of on or please that the this to use using what when which with you your'.split(
    ' ',
  ),
);

/**
 * The words of a text, lower-cased: `notes.addNote`, `list_repos` and `Send e-mails` split at case
 * changes and at anything not a letter or digit; a plural's `s` is dropped (`repos` finds `repo`).
 */
export function terms(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !STOP_WORDS.has(w))
    .map(stem);
}

function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** The names of a schema's properties, nested objects and array items included (two levels). */
export function parameterNames(schema: Record<string, unknown>, depth = 0): string[] {
  const properties = schema['properties'];
  if (!properties || typeof properties !== 'object' || depth > 1) return [];
  return Object.entries(properties as Record<string, unknown>).flatMap(([name, sub]) => {
    if (!sub || typeof sub !== 'object') return [name];
    const s = sub as Record<string, unknown>;
    const items = s['items'] && typeof s['items'] === 'object' ? s['items'] : s;
    return [name, ...parameterNames(items as Record<string, unknown>, depth + 1)];
  });
}

/** The weighted term counts of one tool (what the index counts for it), and their sum. */
function documentOf(tool: Tools.ManifestTool): { counts: Map<string, number>; length: number } {
  const parts: [string, number][] = [
    [tool.name, WEIGHTS.name],
    [tool.title, WEIGHTS.title],
    [parameterNames(tool.inputSchema).join(' '), WEIGHTS.parameters],
    [tool.description, WEIGHTS.description],
  ];
  const counts = new Map<string, number>();
  let length = 0;
  for (const [text, weight] of parts)
    for (const word of terms(text)) {
      counts.set(word, (counts.get(word) ?? 0) + weight);
      length += weight;
    }
  return { counts, length };
}

export interface ScoredTool {
  tool: Tools.ManifestTool;
  score: number;
}

/**
 * An inverted index of one offer's tools, searched with BM25. Built once per offer (the manifest cache
 * keeps the offer, SearchToolsUseCase keeps its index beside it) and read-only after: a search walks
 * only the postings of its own terms.
 */
export class ToolSearchIndex {
  /** Per term, its documents and counts side by side (`doc, tf, doc, tf, …`): few objects to collect. */
  private readonly postings = new Map<string, number[]>();
  private readonly lengths: number[] = [];
  private readonly averageLength: number;

  constructor(readonly tools: readonly Tools.ManifestTool[]) {
    tools.forEach((tool, doc) => {
      const { counts, length } = documentOf(tool);
      this.lengths.push(length);
      for (const [term, tf] of counts) {
        const list = this.postings.get(term);
        if (list) list.push(doc, tf);
        else this.postings.set(term, [doc, tf]);
      }
    });
    const total = this.lengths.reduce((a, b) => a + b, 0);
    this.averageLength = tools.length ? total / tools.length : 0;
  }

  /**
   * The best `limit` tools for `query`, best first (ties in the offer's order: by name, as manifests
   * list them); tools matching no term are left out.
   */
  search(query: string, limit: number): ScoredTool[] {
    return this.rank(query)
      .slice(0, limit)
      .map(({ doc, score }) => ({
        tool: this.tools[doc] as Tools.ManifestTool,
        score: Math.round(score * 1000) / 1000,
      }));
  }

  /** Every tool matching a term of `query` (its position in `tools`), best first, with its score. */
  rank(query: string): { doc: number; score: number }[] {
    const scores = new Float64Array(this.tools.length);
    const matched: number[] = [];
    const n = this.tools.length;
    for (const term of new Set(terms(query))) {
      const list = this.postings.get(term);
      if (!list) continue;
      const df = list.length / 2;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let i = 0; i < list.length; i += 2) {
        const doc = list[i] as number;
        const tf = list[i + 1] as number;
        const norm = tf + K1 * (1 - B + (B * (this.lengths[doc] ?? 0)) / this.averageLength);
        if (scores[doc] === 0) matched.push(doc);
        scores[doc] = (scores[doc] ?? 0) + (idf * tf * (K1 + 1)) / norm;
      }
    }
    return matched
      .sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b)
      .map((doc) => ({ doc, score: scores[doc] ?? 0 }));
  }
}
