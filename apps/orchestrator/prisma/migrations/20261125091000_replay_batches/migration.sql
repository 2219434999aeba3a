-- Replay batches (docs/replay.md): ended tasks run again with a changed configuration, a few at a
-- time. The batch row is the due list the orchestrator's sweep advances (claimed with SKIP LOCKED).
CREATE TABLE "ReplayBatch" (
    "id" UUID NOT NULL,
    "tenantId" TEXT NOT NULL DEFAULT 'default',
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "concurrency" INTEGER NOT NULL,
    "budget" JSONB,
    "correlationId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    CONSTRAINT "ReplayBatch_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ReplayBatch_status_idx" ON "ReplayBatch"("status");
CREATE INDEX "ReplayBatch_tenantId_createdAt_idx" ON "ReplayBatch"("tenantId", "createdAt" DESC);

CREATE TABLE "ReplayBatchItem" (
    "batchId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "taskId" UUID NOT NULL,
    "runTaskId" UUID,
    "status" TEXT NOT NULL,
    "outcome" TEXT,
    "summary" JSONB,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    CONSTRAINT "ReplayBatchItem_pkey" PRIMARY KEY ("batchId", "position"),
    CONSTRAINT "ReplayBatchItem_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "ReplayBatch"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
