-- The task journal (docs/architecture.md, "The task journal"): a task's events by per-task seq, and
-- the outbox of what is owed to other services, both written in the transaction of the step or
-- transition that made them.
CREATE TABLE "TaskEvent" (
    "taskId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "tenantId" TEXT NOT NULL DEFAULT 'default',
    "name" TEXT NOT NULL,
    "event" JSONB NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TaskEvent_pkey" PRIMARY KEY ("taskId","seq")
);

CREATE TABLE "JournalOutbox" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "taskId" UUID,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "relayedAt" TIMESTAMP(3),

    CONSTRAINT "JournalOutbox_pkey" PRIMARY KEY ("id")
);

-- The sweep reads only what is still owed, oldest first: rows leave the index once relayed.
CREATE INDEX "JournalOutbox_due_idx" ON "JournalOutbox"("createdAt") WHERE "relayedAt" IS NULL;
