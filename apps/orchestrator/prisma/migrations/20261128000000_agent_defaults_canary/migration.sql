-- A tenant's default agent (docs/agents.md): a task naming no agent runs its production label.
CREATE TABLE "TenantDefaultAgent" (
    "tenantId" TEXT NOT NULL,
    "agentId" UUID NOT NULL,
    "setBy" TEXT NOT NULL,
    "setAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TenantDefaultAgent_pkey" PRIMARY KEY ("tenantId")
);
ALTER TABLE "TenantDefaultAgent" ADD CONSTRAINT "TenantDefaultAgent_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A label's canary: a second version taking a share (percent) of the label's traffic.
ALTER TABLE "AgentLabel" ADD COLUMN "canaryVersionId" UUID;
ALTER TABLE "AgentLabel" ADD COLUMN "canaryWeight" INTEGER;
ALTER TABLE "AgentLabel" ADD CONSTRAINT "AgentLabel_canaryVersionId_fkey" FOREIGN KEY ("canaryVersionId") REFERENCES "AgentVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "AgentLabel" ADD CONSTRAINT "AgentLabel_canary_check" CHECK (("canaryVersionId" IS NULL) = ("canaryWeight" IS NULL) AND ("canaryWeight" IS NULL OR "canaryWeight" BETWEEN 1 AND 99));
