-- CreateTable
CREATE TABLE "TaskOffer" (
    "taskId" UUID NOT NULL,
    "userId" TEXT NOT NULL,
    "tools" TEXT[],
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TaskOffer_pkey" PRIMARY KEY ("taskId","userId")
);

-- CreateIndex
CREATE INDEX "TaskOffer_expiresAt_idx" ON "TaskOffer"("expiresAt");
