-- Tenants: every row belongs to one tenant, and rows from before tenancy move into the default tenant
-- (the column default). The keys a caller names are scoped by tenant, so a key of one tenant never
-- reaches a row of another: the idempotency key of a tool call (the same key under two tenants is two
-- calls) or of a note, the grant of a provider to a user, the approval policy override of a tool.
-- (These comments hold no semicolon and no quote: the migration runner splits statements on them.)

-- DropIndex
DROP INDEX "Note_idempotencyKey_key";

-- DropIndex
DROP INDEX "Note_userId_createdAt_idx";

-- AlterTable
ALTER TABLE "ApprovalPolicyOverride" DROP CONSTRAINT "ApprovalPolicyOverride_pkey",
ADD COLUMN     "tenantId" TEXT NOT NULL DEFAULT 'default',
ADD CONSTRAINT "ApprovalPolicyOverride_pkey" PRIMARY KEY ("tenantId", "tool");

-- AlterTable
ALTER TABLE "Note" ADD COLUMN     "tenantId" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "ProviderAuthorization" DROP CONSTRAINT "ProviderAuthorization_pkey",
ADD COLUMN     "tenantId" TEXT NOT NULL DEFAULT 'default',
ADD CONSTRAINT "ProviderAuthorization_pkey" PRIMARY KEY ("tenantId", "userId", "provider");

-- AlterTable
ALTER TABLE "ToolCall" DROP CONSTRAINT "ToolCall_pkey",
ADD COLUMN     "tenantId" TEXT NOT NULL DEFAULT 'default',
ADD CONSTRAINT "ToolCall_pkey" PRIMARY KEY ("tenantId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "Note_tenantId_userId_createdAt_idx" ON "Note"("tenantId", "userId", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Note_tenantId_idempotencyKey_key" ON "Note"("tenantId", "idempotencyKey");

-- CreateIndex: for the platform operator, who reads the grants of a user in every tenant.
CREATE INDEX "ProviderAuthorization_userId_provider_idx" ON "ProviderAuthorization"("userId", "provider");
