-- CreateTable
CREATE TABLE "QueuedCancellation" (
    "taskId" UUID NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "requesterRole" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QueuedCancellation_pkey" PRIMARY KEY ("taskId")
);
