-- An experiment's item may start at a recorded step, and an experiment may name read-only tools (docs/evaluations.md).
ALTER TABLE "ReplayBatchItem" ADD COLUMN "fromStep" INTEGER;
ALTER TABLE "Experiment" ADD COLUMN "liveTools" TEXT[] DEFAULT ARRAY[]::TEXT[];
