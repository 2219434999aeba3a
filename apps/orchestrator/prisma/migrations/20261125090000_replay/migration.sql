-- Replay and fork (docs/replay.md): what a task needs to be run again from its record, and the run
-- tree of replays and forks. Existing tasks get no record of their context: they replay with what
-- their rounds and steps hold.
ALTER TABLE "Task" ADD COLUMN "parentId" UUID;
ALTER TABLE "Task" ADD COLUMN "runKind" TEXT;
ALTER TABLE "Task" ADD COLUMN "runFrom" JSONB;
ALTER TABLE "Task" ADD COLUMN "verdict" JSONB;
CREATE INDEX "Task_parentId_createdAt_idx" ON "Task"("parentId", "createdAt");

ALTER TABLE "Step" ADD COLUMN "events" JSONB;

ALTER TABLE "PlanningRound" ADD COLUMN "request" JSONB;
ALTER TABLE "PlanningRound" ADD COLUMN "context" JSONB;
