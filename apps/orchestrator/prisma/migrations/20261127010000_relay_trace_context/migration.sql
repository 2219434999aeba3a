-- Where what the journal relays after a commit was owed (a W3C traceparent): the relay continues the
-- task's trace with it (docs/architecture.md, "The audit relay", and docs/webhooks.md).
ALTER TABLE "JournalOutbox" ADD COLUMN "traceparent" TEXT;
ALTER TABLE "WebhookDelivery" ADD COLUMN "traceparent" TEXT;
