-- Tenants: every row belongs to one, and each tenant's rows form a chain of their own inside the one
-- trail (tenantSeq 1, 2, 3… and tenantPrevHash, both covered by the row's hash from hashVersion 2 on), so a
-- tenant's slice verifies without reading other tenants' rows.
--
-- Run as one transaction: ALTER TABLE holds the table until the end, so no row is inserted half-way. A
-- replica of an older release cannot append afterwards (it sets neither tenantSeq nor hashVersion): its
-- batches fail and are redelivered to an upgraded replica, rather than stored outside the tenant chain.
ALTER TABLE "AuditEntry"
    ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT 'default',
    ADD COLUMN "tenantSeq" INTEGER,
    ADD COLUMN "tenantPrevHash" TEXT,
    ADD COLUMN "hashVersion" SMALLINT NOT NULL DEFAULT 1;

-- Every row stored so far is the default tenant's and was hashed without tenant fields (version 1): its
-- tenant chain is the trail's own (tenantSeq = its rank, tenantPrevHash = prevHash, which its hash covers).
UPDATE "AuditEntry" AS e
SET "tenantSeq" = r."rank", "tenantPrevHash" = e."prevHash"
FROM (SELECT "seq", row_number() OVER (ORDER BY "seq") AS "rank" FROM "AuditEntry") AS r
WHERE e."seq" = r."seq";

ALTER TABLE "AuditEntry"
    ALTER COLUMN "tenantSeq" SET NOT NULL,
    ALTER COLUMN "tenantPrevHash" SET NOT NULL,
    ALTER COLUMN "hashVersion" DROP DEFAULT;

-- A tenant's place can be claimed once: two writers that chain the same tenant from the same head cannot
-- both commit (as "prevHash" for the trail), so a tenant's chain never forks. Also the slice's read order.
CREATE UNIQUE INDEX "AuditEntry_tenantId_tenantSeq_key" ON "AuditEntry"("tenantId", "tenantSeq");

-- A tenant's rows, newest first (a tenant admin's queries).
CREATE INDEX "AuditEntry_tenantId_seq_idx" ON "AuditEntry"("tenantId", "seq" DESC);
