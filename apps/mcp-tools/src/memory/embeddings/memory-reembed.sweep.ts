import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import { drainBatches, PeriodicJob } from '@switchboard/runtime';
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
  private readonly job: PeriodicJob;

  constructor(
    private readonly prisma: PrismaService,
    private readonly embedder: MemoryEmbedder,
    @Inject(APP_CONFIG) settings: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.job = new PeriodicJob(
      settings.MEMORY_EMBEDDINGS_REEMBED_MS,
      () => this.sweep(),
      (e) => this.logger.warn({ err: e }, 'memory re-embedding failed; retried at the next sweep'),
    );
  }

  onModuleInit(): void {
    if (this.embedder.enabled) this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /** Embeds what lacks a vector of the current model; returns how many items got one. */
  async sweep(): Promise<number> {
    const model = this.embedder.model;
    if (!model) return 0;
    let total = 0;
    await drainBatches(
      async () => {
        const done = await this.embedBatch(model);
        // undefined: the endpoint failed (the embedder said why); the next sweep tries again.
        if (done === undefined) return undefined;
        total += done.stored;
        return done.read;
      },
      BATCH,
      { maxBatches: MAX_BATCHES },
    );
    if (total) this.logger.info({ embedded: total, model }, 'memory embeddings: items embedded');
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
