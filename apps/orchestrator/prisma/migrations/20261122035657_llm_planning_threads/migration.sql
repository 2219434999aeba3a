-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "cancelReason" TEXT,
ADD COLUMN     "cancelRequestedAt" TIMESTAMP(3),
ADD COLUMN     "startedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "PlanningRound" (
    "id" TEXT NOT NULL,
    "taskId" UUID NOT NULL,
    "iteration" INTEGER NOT NULL,
    "planner" TEXT NOT NULL,
    "decision" JSONB NOT NULL,
    "memo" JSONB,
    "usage" JSONB,
    "model" TEXT,
    "durationMs" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PlanningRound_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Turn" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "threadId" TEXT NOT NULL,
    "taskId" UUID NOT NULL,
    "role" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "tokens" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Turn_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PlanningRound_taskId_iteration_key" ON "PlanningRound"("taskId", "iteration");

-- CreateIndex
CREATE INDEX "Turn_userId_threadId_createdAt_idx" ON "Turn"("userId", "threadId", "createdAt");

-- CreateIndex
CREATE INDEX "Task_userId_threadId_idx" ON "Task"("userId", "threadId");

-- AddForeignKey
ALTER TABLE "PlanningRound" ADD CONSTRAINT "PlanningRound_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE CASCADE ON UPDATE CASCADE;
