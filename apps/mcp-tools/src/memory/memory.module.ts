import { Module } from '@nestjs/common';
import { MemoryCandidates } from './embeddings/memory-candidates.repository.js';
import { MemoryEmbedder } from './embeddings/memory-embedder.js';
import { MemoryMeaningSearch } from './embeddings/memory-meaning-search.js';
import { MemoryReembedSweep } from './embeddings/memory-reembed.sweep.js';
import { MemoryRelay } from './memory.relay.js';
import { MemoryRepository } from './memory.repository.js';
import { MemoryStore } from './memory-store.service.js';
import {
  MemoryForgetTool,
  MemoryRecallTool,
  MemoryRememberTool,
  MemoryShareTool,
} from './memory.tools.js';
import { MemoryRetentionSweep } from './retention/memory-retention.sweep.js';
import { UpdateMemoryUseCase } from './update-memory/update-memory.use-case.js';

/** The memory tools the builtins offer, in the order the catalogue lists them. */
export const MEMORY_TOOLS = [
  MemoryRememberTool,
  MemoryShareTool,
  MemoryRecallTool,
  MemoryForgetTool,
];

/**
 * Long-term memory (docs/memory.md): the store and its NATS commands, recall by meaning, the
 * re-embedding and retention sweeps, and the memory tools (offered through the builtins).
 */
@Module({
  controllers: [MemoryRelay],
  providers: [
    ...MEMORY_TOOLS,
    MemoryCandidates,
    MemoryEmbedder,
    MemoryMeaningSearch,
    MemoryReembedSweep,
    MemoryRepository,
    MemoryRetentionSweep,
    MemoryStore,
    UpdateMemoryUseCase,
  ],
  // The embeddings endpoint also serves tool search by meaning (tools/search-tools).
  exports: [...MEMORY_TOOLS, MemoryEmbedder],
})
export class MemoryModule {}
