-- Thread concurrency policy (docs/api.md, "Threads"): who holds a thread, and who waits for it.
CREATE TABLE "ThreadSlot" (
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "threadId" TEXT NOT NULL,
    "activeTaskId" UUID,
    "discardTaskId" UUID,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ThreadSlot_pkey" PRIMARY KEY ("tenantId","userId","threadId")
);

CREATE TABLE "ThreadWaiter" (
    "taskId" UUID NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "threadId" TEXT NOT NULL,
    "position" BIGINT NOT NULL,
    "policy" TEXT NOT NULL,
    "submission" JSONB,
    "promotedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ThreadWaiter_pkey" PRIMARY KEY ("taskId")
);

CREATE INDEX "ThreadWaiter_tenantId_userId_threadId_position_idx" ON "ThreadWaiter"("tenantId", "userId", "threadId", "position");

CREATE INDEX "ThreadWaiter_promotedAt_idx" ON "ThreadWaiter"("promotedAt");
