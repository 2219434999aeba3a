-- Approvals (docs/approvals.md): a task waits for a person's decision before a call.
ALTER TABLE "Task" ADD COLUMN "pausedAt" TIMESTAMP(3),
ADD COLUMN "waitedMs" INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "Approval" (
    "id" UUID NOT NULL,
    "taskId" UUID NOT NULL,
    "actionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "input" JSONB NOT NULL,
    "argsHash" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "policy" JSONB NOT NULL,
    "inputSchema" JSONB,
    "status" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "comment" TEXT,
    "editedInput" JSONB,
    "approvedHash" TEXT,

    CONSTRAINT "Approval_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Approval_taskId_actionId_key" ON "Approval"("taskId", "actionId");
CREATE INDEX "Approval_status_expiresAt_idx" ON "Approval"("status", "expiresAt");
CREATE INDEX "Approval_status_requestedAt_idx" ON "Approval"("status", "requestedAt" DESC);

ALTER TABLE "Approval" ADD CONSTRAINT "Approval_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE CASCADE ON UPDATE CASCADE;
