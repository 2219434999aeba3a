-- Search by meaning (docs/memory.md): each item's vector, unit length, float32 little-endian, and the
-- model (with its dimensions) that made it, NULL when no embeddings endpoint is configured or it did
-- not answer. A column of the row, so it goes with its item. No vector index: this PostgreSQL has no
-- pgvector, so a search compares a bounded set of the caller's newest items (ownerId index below).

-- AlterTable
ALTER TABLE "MemoryItem" ADD COLUMN "embedding" BYTEA,
ADD COLUMN "embeddingModel" TEXT;

-- CreateIndex
CREATE INDEX "MemoryItem_tenantId_ownerId_createdAt_idx" ON "MemoryItem"("tenantId", "ownerId", "createdAt" DESC);
