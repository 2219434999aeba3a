import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Tools } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { toolFingerprint } from '@switchboard/runtime';
import type { McpToolsEnv } from '../../config/mcp-tools.env.js';
import { MemoryEmbedder } from '../../memory/embeddings/memory-embedder.js';
import { cosine } from '../../memory/embeddings/memory-vector.js';
import { parameterNames } from './tool-search.index.js';

/** Tool texts per embeddings request: a first search of 5,000 tools is 20 requests, not 5,000. */
const BATCH = 256;
/**
 * Tool vectors kept by fingerprint at most (the oldest go first): about 60 MB at 1,536 dimensions.
 * An offer's vectors also stay with the offer while it is cached, so this bounds only what is shared.
 */
const MAX_CACHED = 10_000;

/**
 * Ranks an offer's tools by meaning: the cosine similarity of each tool's text (name, title,
 * description, parameter names) to the query's, through the embeddings endpoint memory uses
 * (MEMORY_EMBEDDINGS_*). A tool is embedded once per definition (its fingerprint), the query once
 * per search. When the endpoint is not configured, or fails, `rank` gives undefined and the search is
 * by words alone; a failure is logged once (not on every search) until the endpoint answers again.
 */
@Injectable()
export class ToolMeaningRanker {
  private readonly byFingerprint = new Map<string, Float32Array>();
  private readonly byOffer = new WeakMap<readonly Tools.ManifestTool[], Float32Array[]>();
  private failing = false;

  constructor(
    private readonly embedder: MemoryEmbedder,
    @Inject(APP_CONFIG) private readonly config: Pick<McpToolsEnv, 'MEMORY_EMBEDDINGS_MIN_SCORE'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The positions of `tools` by similarity to `query`, best first, those under
   * MEMORY_EMBEDDINGS_MIN_SCORE left out; undefined when there is no embeddings endpoint or it failed.
   */
  async rank(tools: readonly Tools.ManifestTool[], query: string): Promise<number[] | undefined> {
    if (!this.embedder.enabled || tools.length === 0) return undefined;
    const [vectors, asked] = await Promise.all([this.vectorsOf(tools), this.embed([query])]);
    const q = asked?.[0];
    if (!vectors || !q) return undefined;
    const scored: { doc: number; similarity: number }[] = [];
    vectors.forEach((v, doc) => {
      const similarity = cosine(q, v);
      if (similarity !== undefined && similarity >= this.config.MEMORY_EMBEDDINGS_MIN_SCORE)
        scored.push({ doc, similarity });
    });
    return scored.sort((a, b) => b.similarity - a.similarity || a.doc - b.doc).map((s) => s.doc);
  }

  /** The vector of each tool of an offer, in order: cached ones reused, the others embedded. */
  private async vectorsOf(
    tools: readonly Tools.ManifestTool[],
  ): Promise<Float32Array[] | undefined> {
    const known = this.byOffer.get(tools);
    if (known) return known;
    const keys = tools.map((t) => toolFingerprint(t));
    const vectors = keys.map((k) => this.byFingerprint.get(k));
    const missing = vectors.flatMap((v, i) => (v ? [] : [i]));
    for (let at = 0; at < missing.length; at += BATCH) {
      const batch = missing.slice(at, at + BATCH);
      const embedded = await this.embed(batch.map((i) => toolText(tools[i] as Tools.ManifestTool)));
      if (!embedded) return undefined;
      batch.forEach((i, j) => {
        vectors[i] = embedded[j];
        this.remember(keys[i] as string, embedded[j] as Float32Array);
      });
    }
    const complete = vectors as Float32Array[];
    this.byOffer.set(tools, complete);
    return complete;
  }

  private remember(fingerprint: string, vector: Float32Array): void {
    if (this.byFingerprint.size >= MAX_CACHED) {
      const oldest = this.byFingerprint.keys().next().value;
      if (oldest !== undefined) this.byFingerprint.delete(oldest);
    }
    this.byFingerprint.set(fingerprint, vector);
  }

  /** The endpoint's vectors, or undefined; says so once when it starts failing, once when it is back. */
  private async embed(texts: string[]): Promise<Float32Array[] | undefined> {
    const answer = await this.embedder.attempt(texts);
    if (answer && 'vectors' in answer) {
      if (this.failing) this.logger.info('tool search: embeddings answer again; by meaning');
      this.failing = false;
      return answer.vectors;
    }
    if (!this.failing)
      this.logger.warn(
        { reason: answer?.problem ?? 'no answer' },
        'tool search: embeddings failed; searching by words only until they answer',
      );
    this.failing = true;
    return undefined;
  }
}

/** What is embedded of a tool: its name in words, its title, what it does and what it takes. */
export function toolText(tool: Tools.ManifestTool): string {
  const words = (s: string) =>
    s
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/[_.]+/g, ' ')
      .trim();
  const parameters = parameterNames(tool.inputSchema);
  return [
    `${words(tool.name)}${tool.title && tool.title !== tool.name ? ` (${tool.title})` : ''}`,
    tool.description,
    parameters.length ? `Parameters: ${parameters.map(words).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
