import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { McpToolsEnv } from '../../config/mcp-tools.env.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { MemoryEmbedder } from './memory-embedder.js';
import { toBytes } from './memory-vector.js';

type Settings = Pick<McpToolsEnv, 'MEMORY_EMBEDDINGS_REEMBED_MS'>;

/** Items one embeddings request carries. */
const BATCH = 64;
/** Batches one sweep sends at most: a backlog drains over several sweeps, not in one burst. */
const MAX_BATCHES = 50;

/**
 * Items without a vector of the configured model — stored while the embeddings endpoint was down,
 * or embedded by a model that has since been replaced — are found only by their words until they
 * have one. This sweep (every MEMORY_EMBEDDINGS_REEMBED_MS, on every replica, only with an embeddings
 * endpoint) embeds them a batch at a time. The request is made outside any transaction, and a vector
 * is stored only if the item still holds the text that was embedded: an edit in between keeps the
 * edit's own vector. Replicas sweeping at once may embed an item twice: harmless, the same vector.
 */
@Injectable()
export class MemoryReembedSweep implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly embedder: MemoryEmbedder,
    @Inject(APP_CONFIG) private readonly settings: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    if (!this.embedder.enabled) return;
    this.timer = setInterval(() => void this.sweep(), this.settings.MEMORY_EMBEDDINGS_REEMBED_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Embeds what lacks a vector of the current model; returns how many items got one. */
  async sweep(): Promise<number> {
    const model = this.embedder.model;
    if (this.running || !model) return 0;
    this.running = true;
    let total = 0;
    try {
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        const done = await this.embedBatch(model);
        // undefined: the endpoint failed (the embedder said why); the next sweep tries again.
        if (done === undefined) break;
        total += done.stored;
        if (done.read < BATCH) break;
      }
      if (total) this.logger.info({ embedded: total, model }, 'memory embeddings: items embedded');
    } catch (e) {
      this.logger.warn({ err: e }, 'memory re-embedding failed; retried at the next sweep');
    } finally {
      this.running = false;
    }
    return total;
  }

  private async embedBatch(model: string): Promise<{ read: number; stored: number } | undefined> {
    const rows = await this.prisma.$queryRaw<{ id: string; content: string }[]>`
      SELECT "id", "content" FROM "MemoryItem"
      WHERE "embeddingModel" IS DISTINCT FROM ${model}
      ORDER BY "updatedAt" DESC LIMIT ${BATCH}`;
    if (rows.length === 0) return { read: 0, stored: 0 };
    const vectors = await this.embedder.embed(rows.map((r) => r.content));
    if (!vectors) return undefined;
    const stored = await this.prisma.$executeRaw`
      UPDATE "MemoryItem" AS m SET "embedding" = v."embedding", "embeddingModel" = ${model}
      FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.content)}::text[],
                  ${vectors.map((v) => Buffer.from(toBytes(v)))}::bytea[])
           AS v("id", "content", "embedding")
      WHERE m."id" = v."id" AND m."content" = v."content"`;
    return { read: rows.length, stored };
  }
}
