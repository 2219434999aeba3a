-- A2A push notification configs of the platform agent, delivered through the webhook deliveries
CREATE TABLE "A2aPushConfig" (
    "id" UUID NOT NULL,
    "taskId" UUID NOT NULL,
    "configId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "token" TEXT,
    "authScheme" TEXT,
    "authCredentials" TEXT,
    "wireVersion" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "A2aPushConfig_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "A2aPushConfig_taskId_configId_idx" ON "A2aPushConfig"("taskId", "configId");

-- One live config per task and id (a deleted one keeps its row for its deliveries)
CREATE UNIQUE INDEX "A2aPushConfig_live_key" ON "A2aPushConfig"("taskId", "configId") WHERE "deletedAt" IS NULL;

ALTER TABLE "WebhookDelivery" ADD COLUMN "pushConfigId" UUID;
