-- The stored task state machine (apps/orchestrator/src/tasks/state): every transition compares and
-- sets (status, version).
ALTER TABLE "Task" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 0;

-- A cancel stored on a task that had not ended is the `cancelling` state now.
UPDATE "Task" SET "status" = 'cancelling'
WHERE "cancelRequestedAt" IS NOT NULL AND "status" IN ('running', 'waiting_approval');
