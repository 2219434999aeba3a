#!/bin/sh
# Applies the Prisma migrations of the three services that own a database (offline-safe, idempotent;
# each database is created when missing). Used by `npm run up`, the compose `migrate` service and the
# Helm migration Job. POSIX sh: the container images have no bash.
#
#   ORCHESTRATOR_DATABASE_URL=postgresql://...sb_orchestrator \
#   MCP_TOOLS_DATABASE_URL=postgresql://...sb_tools \
#   AUDIT_DATABASE_URL=postgresql://...sb_audit  sh infra/migrate.sh
set -eu
cd "$(dirname "$0")/.."

migrate() {
  project="$1"
  url="$2"
  echo "==> migrating $project"
  DATABASE_URL="$url" node tools/prisma/migrate.mjs "$project" deploy
}

migrate orchestrator "${ORCHESTRATOR_DATABASE_URL:?ORCHESTRATOR_DATABASE_URL is required}"
migrate mcp-tools "${MCP_TOOLS_DATABASE_URL:?MCP_TOOLS_DATABASE_URL is required}"
migrate audit "${AUDIT_DATABASE_URL:?AUDIT_DATABASE_URL is required}"
echo " ok migrations applied"
