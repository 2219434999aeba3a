import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import { loadedOpenAiSdk, openAiClient } from '@switchboard/runtime';
import type OpenAI from 'openai';
import type { McpToolsEnv } from '../../config/mcp-tools.env.js';
import { normalized } from './memory-vector.js';

type Settings = Pick<
  McpToolsEnv,
  | 'MEMORY_EMBEDDINGS_BASE_URL'
  | 'MEMORY_EMBEDDINGS_MODEL'
  | 'MEMORY_EMBEDDINGS_DIMENSIONS'
  | 'MEMORY_EMBEDDINGS_API_KEY'
  | 'MEMORY_EMBEDDINGS_TIMEOUT_MS'
>;

/** Vectors, or why there are none: the request failed, or its answer is not usable. */
export type EmbedAnswer =
  { vectors: Float32Array[] } | { failed: 'request' | 'answer'; problem: string };

/**
 * Embeddings of memory texts (and of tools, for tool search) from any OpenAI-compatible `/embeddings` endpoint, with the official
 * `openai` client (the SDK stays in this file). Vectors come back unit length. An embedding is never
 * what fails a write or a recall: when the endpoint does not answer in time, or answers something
 * unusable, `embed` gives `undefined` and says why in a warning (never with the key), and the caller
 * falls back to words (docs/memory.md, "Search by meaning").
 */
@Injectable()
export class MemoryEmbedder {
  /**
   * The SDK's client, made at the first call (the package is imported then: openAiSdk); it never
   * retries: a recall waits for this, and a second try would outlast the planner's recall timeout.
   */
  private readonly openai: () => Promise<OpenAI>;
  private readonly on: boolean;
  /** What the stored vectors were made with: vectors of another model are not compared. */
  readonly model: string | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.on = Boolean(config.MEMORY_EMBEDDINGS_BASE_URL);
    this.openai = openAiClient({
      apiKey: config.MEMORY_EMBEDDINGS_API_KEY,
      baseURL: config.MEMORY_EMBEDDINGS_BASE_URL,
      timeout: config.MEMORY_EMBEDDINGS_TIMEOUT_MS,
    });
    if (!this.on) return;
    const dims = config.MEMORY_EMBEDDINGS_DIMENSIONS;
    this.model = `${config.MEMORY_EMBEDDINGS_MODEL}${dims ? `@${dims}` : ''}`;
  }

  get enabled(): boolean {
    return this.on;
  }

  /** One unit vector per text, in order; undefined when off or the endpoint failed (logged). */
  async embed(texts: readonly string[]): Promise<Float32Array[] | undefined> {
    const answer = await this.attempt(texts);
    if (!answer || 'vectors' in answer) return answer?.vectors;
    const what = answer.failed === 'request' ? 'request failed' : 'answer not usable';
    this.logger.warn({ reason: answer.problem }, `memory embeddings: ${what}; words only`);
    return undefined;
  }

  /**
   * What `embed` does without logging: the vectors, or what went wrong (never with the key), so a
   * caller that asks often (tool search) can say it once. Undefined when off or given no text.
   */
  async attempt(texts: readonly string[]): Promise<EmbedAnswer | undefined> {
    if (!this.on || texts.length === 0) return undefined;
    const dims = this.config.MEMORY_EMBEDDINGS_DIMENSIONS;
    try {
      const answer = await (
        await this.openai()
      ).embeddings.create({
        model: this.config.MEMORY_EMBEDDINGS_MODEL,
        input: [...texts],
        // Plain floats: what every OpenAI-compatible server speaks (the SDK's default is base64).
        encoding_format: 'float',
        ...(dims ? { dimensions: dims } : {}),
      });
      const vectors = [...answer.data]
        .sort((a, b) => a.index - b.index)
        .map((d) => d.embedding as unknown);
      const problem = unusable(vectors, texts.length, dims);
      if (problem) return { failed: 'answer', problem };
      return { vectors: (vectors as number[][]).map((v) => normalized(v)) };
    } catch (e) {
      return { failed: 'request', problem: this.scrubbed(e) };
    }
  }

  /** What went wrong, without the key (a server may echo what it was sent). */
  private scrubbed(e: unknown): string {
    const sdk = loadedOpenAiSdk();
    const status = sdk && e instanceof sdk.APIError && e.status ? `HTTP ${e.status}: ` : '';
    let text = `${status}${e instanceof Error ? e.message : String(e)}`.slice(0, 300);
    const key = this.config.MEMORY_EMBEDDINGS_API_KEY;
    if (key) text = text.split(key).join('[redacted]');
    return text;
  }
}

function unusable(vectors: unknown[], count: number, dims: number | undefined): string | undefined {
  if (vectors.length !== count) return `${vectors.length} vectors for ${count} texts`;
  const length = (vectors[0] as unknown[] | undefined)?.length ?? 0;
  for (const v of vectors) {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
      return 'a vector is not a list of numbers';
    if (v.length !== length || length === 0) return 'vectors of different lengths';
  }
  if (dims && length !== dims)
    return `vectors of ${length} dimensions, MEMORY_EMBEDDINGS_DIMENSIONS is ${dims}`;
  return undefined;
}
