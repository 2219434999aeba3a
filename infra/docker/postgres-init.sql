-- docker compose: one database per service that owns data (the migrate service applies their schemas).
CREATE DATABASE sb_orchestrator;
CREATE DATABASE sb_tools;
CREATE DATABASE sb_audit;
