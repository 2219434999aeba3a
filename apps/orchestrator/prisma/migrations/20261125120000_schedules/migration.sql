-- Schedules (docs/schedules.md): tasks run on a cron schedule or once at a time. The Schedule table is
-- the due list each orchestrator replica ticker claims from (FOR UPDATE SKIP LOCKED). A firing is
-- unique per (schedule, due time), so a due time submits one task however many replicas tick.
ALTER TABLE "Task" ADD COLUMN "scheduleId" UUID;

CREATE TABLE "Schedule" (
    "id" UUID NOT NULL,
    "tenantId" TEXT NOT NULL DEFAULT 'default',
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "cron" TEXT,
    "timezone" TEXT,
    "at" TIMESTAMP(3),
    "catchUp" TEXT NOT NULL,
    "nextDueAt" TIMESTAMP(3),
    "lastFiredAt" TIMESTAMP(3),
    "firedCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Schedule_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Schedule_status_nextDueAt_idx" ON "Schedule"("status", "nextDueAt");
CREATE INDEX "Schedule_tenantId_userId_createdAt_idx" ON "Schedule"("tenantId", "userId", "createdAt" DESC);
CREATE INDEX "Schedule_tenantId_createdAt_idx" ON "Schedule"("tenantId", "createdAt" DESC);

CREATE TABLE "ScheduleFiring" (
    "id" UUID NOT NULL,
    "scheduleId" UUID NOT NULL,
    "tenantId" TEXT NOT NULL DEFAULT 'default',
    "dueAt" TIMESTAMP(3) NOT NULL,
    "firedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL,
    "taskId" UUID,
    "publishedAt" TIMESTAMP(3),
    CONSTRAINT "ScheduleFiring_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ScheduleFiring_scheduleId_dueAt_key" ON "ScheduleFiring"("scheduleId", "dueAt");
CREATE INDEX "ScheduleFiring_publishedAt_firedAt_idx" ON "ScheduleFiring"("publishedAt", "firedAt");
ALTER TABLE "ScheduleFiring" ADD CONSTRAINT "ScheduleFiring_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "Schedule"("id") ON DELETE CASCADE ON UPDATE CASCADE;
