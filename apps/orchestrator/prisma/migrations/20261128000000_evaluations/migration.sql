-- Evaluations (docs/evaluations.md): datasets of recorded tasks, scores, the judge's cache and
-- experiments. Items and scores name tasks without a foreign key: a task's retention may remove it
-- while its scores and an experiment's result stay readable.
CREATE TABLE "Dataset" (
    "id" UUID NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "rule" JSONB,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Dataset_tenantId_name_key" ON "Dataset"("tenantId", "name");

CREATE TABLE "DatasetItem" (
    "datasetId" UUID NOT NULL,
    "taskId" UUID NOT NULL,
    "step" INTEGER NOT NULL DEFAULT 0,
    "expectations" JSONB,
    "addedIn" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DatasetItem_pkey" PRIMARY KEY ("datasetId", "taskId", "step")
);
CREATE INDEX "DatasetItem_taskId_idx" ON "DatasetItem"("taskId");
ALTER TABLE "DatasetItem" ADD CONSTRAINT "DatasetItem_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "Score" (
    "id" UUID NOT NULL,
    "tenantId" TEXT NOT NULL,
    "taskId" UUID NOT NULL,
    "step" INTEGER NOT NULL DEFAULT 0,
    "name" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "source" TEXT NOT NULL,
    "scorerVersion" TEXT NOT NULL,
    "reason" TEXT,
    "userId" TEXT,
    "experimentId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Score_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Score_tenantId_taskId_idx" ON "Score"("tenantId", "taskId");
CREATE INDEX "Score_experimentId_idx" ON "Score"("experimentId");

CREATE TABLE "JudgeVerdict" (
    "inputSha256" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "tokens" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "JudgeVerdict_pkey" PRIMARY KEY ("inputSha256")
);

CREATE TABLE "Experiment" (
    "id" UUID NOT NULL,
    "tenantId" TEXT NOT NULL,
    "datasetId" UUID NOT NULL,
    "datasetVersion" INTEGER NOT NULL,
    "agent" TEXT NOT NULL,
    "versionId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "baselineVersionId" UUID,
    "baselineVersion" INTEGER,
    "scorers" JSONB NOT NULL,
    "batchId" UUID NOT NULL,
    "baselineBatchId" UUID,
    "status" TEXT NOT NULL,
    "result" JSONB,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Experiment_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Experiment_tenantId_createdAt_idx" ON "Experiment"("tenantId", "createdAt" DESC);
CREATE INDEX "Experiment_tenantId_versionId_idx" ON "Experiment"("tenantId", "versionId");

CREATE TABLE "LabelProtection" (
    "agentId" UUID NOT NULL,
    "tenantId" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "datasetId" UUID NOT NULL,
    "threshold" DOUBLE PRECISION,
    "setBy" TEXT NOT NULL,
    "setAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LabelProtection_pkey" PRIMARY KEY ("agentId", "label")
);

CREATE TABLE "ScoringRule" (
    "id" UUID NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "filter" JSONB NOT NULL,
    "rate" DOUBLE PRECISION NOT NULL,
    "scorers" JSONB NOT NULL,
    "expectations" JSONB,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ScoringRule_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ScoringRule_tenantId_name_key" ON "ScoringRule"("tenantId", "name");
