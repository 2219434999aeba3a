-- Long-term memory (docs/memory.md): items in a namespace of one tenant, searched by PostgreSQL
-- full-text search. The search vector is a generated column (english configuration: stems, drops
-- stop words) with a GIN index, so it can never disagree with the content and goes with its row.

-- CreateTable
CREATE TABLE "MemoryItem" (
    "id" UUID NOT NULL,
    "tenantId" TEXT NOT NULL,
    "namespaceKind" TEXT NOT NULL,
    "namespaceKey" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL DEFAULT '',
    "content" TEXT NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "writerUserId" TEXT NOT NULL,
    "writerTaskId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "idempotencyKey" TEXT,
    "search" tsvector GENERATED ALWAYS AS (to_tsvector('english', "content")) STORED,

    CONSTRAINT "MemoryItem_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "MemoryItem_tenantId_idempotencyKey_key" ON "MemoryItem"("tenantId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "MemoryItem_tenantId_namespaceKind_namespaceKey_createdAt_idx" ON "MemoryItem"("tenantId", "namespaceKind", "namespaceKey", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "MemoryItem_search_idx" ON "MemoryItem" USING GIN ("search");
