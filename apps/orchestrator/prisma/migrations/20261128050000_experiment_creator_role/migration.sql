-- Who an experiment is scored as off the request path: its creator, with the role they had (docs/evaluations.md).
-- Rows from before are scored with the least privilege.
ALTER TABLE "Experiment" ADD COLUMN "createdByRole" TEXT NOT NULL DEFAULT 'user';
-- The scoring sweep reads the running experiments, oldest first, every REPLAY_BATCH_SWEEP_MS on every replica.
CREATE INDEX "Experiment_status_createdAt_idx" ON "Experiment"("status", "createdAt");
