-- Tenants (docs/tenancy.md): every row names its tenant. Rows stored before take the default tenant,
-- the one a deployment with tenancy off uses for everything (a constant default: no table rewrite).
ALTER TABLE "Task" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "Step" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "PlanningRound" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "Turn" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "Approval" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT 'default';

-- A queued cancellation is kept per requester's tenant: one from another tenant cannot take the place
-- of the task's own tenant's (it is ignored when the task is claimed).
ALTER TABLE "QueuedCancellation" DROP CONSTRAINT "QueuedCancellation_pkey",
ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT 'default',
ADD CONSTRAINT "QueuedCancellation_pkey" PRIMARY KEY ("taskId", "tenantId");

-- Reads filtered by tenant stay indexed: a user's tasks, a tenant's tasks (admins), threads, the
-- approval inbox. The (createdAt, id) and (status, requestedAt) indexes stay for the platform operator.
DROP INDEX "Task_userId_createdAt_idx";
DROP INDEX "Task_userId_threadId_idx";
DROP INDEX "Turn_userId_threadId_createdAt_idx";
CREATE INDEX "Task_tenantId_userId_createdAt_idx" ON "Task"("tenantId", "userId", "createdAt" DESC);
CREATE INDEX "Task_tenantId_createdAt_id_idx" ON "Task"("tenantId", "createdAt" DESC, "id" DESC);
CREATE INDEX "Task_tenantId_userId_threadId_idx" ON "Task"("tenantId", "userId", "threadId");
CREATE INDEX "Turn_tenantId_userId_threadId_createdAt_idx" ON "Turn"("tenantId", "userId", "threadId", "createdAt");
CREATE INDEX "Approval_tenantId_status_requestedAt_idx" ON "Approval"("tenantId", "status", "requestedAt" DESC);
