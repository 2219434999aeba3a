-- AlterTable
ALTER TABLE "Note" ADD COLUMN     "idempotencyKey" TEXT;

-- AlterTable
ALTER TABLE "ToolCall" ADD COLUMN     "heartbeatAt" TIMESTAMP(3),
ADD COLUMN     "owner" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Note_idempotencyKey_key" ON "Note"("idempotencyKey");
