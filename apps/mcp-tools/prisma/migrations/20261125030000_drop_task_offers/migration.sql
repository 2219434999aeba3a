-- The tools offered to each task are no longer stored: the orchestrator refuses a call of a tool it did
-- not offer before sending it, and mcp-tools checks every call against its caller and constraints.
DROP TABLE IF EXISTS "TaskOffer";
