-- A row's predecessor can be claimed once: two writers that chain from the same head cannot both
-- commit, so the hash chain never forks (the audit service appends optimistically and relies on it).
CREATE UNIQUE INDEX "AuditEntry_prevHash_key" ON "AuditEntry"("prevHash");
