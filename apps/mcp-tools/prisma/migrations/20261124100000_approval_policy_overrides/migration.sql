-- CreateTable
CREATE TABLE "ApprovalPolicyOverride" (
    "tool" TEXT NOT NULL,
    "policy" JSONB NOT NULL,
    "setBy" TEXT NOT NULL,
    "setAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApprovalPolicyOverride_pkey" PRIMARY KEY ("tool")
);
