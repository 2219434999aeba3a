-- Task retention (TASK_RETENTION_DAYS, docs/operations.md "Retention"): the sweep deletes ended tasks,
-- oldest end first. Running tasks have no "finishedAt" and stay out of the index's range.
CREATE INDEX "Task_finishedAt_idx" ON "Task"("finishedAt");
