#!/bin/sh
# Init container of the orchestrator, mcp-tools and audit pods: applies the service's committed
# migrations to DATABASE_URL (tools/prisma/migrate.mjs creates the database when it is missing), then
# exits so the service starts. While the database server is not reachable yet (the bundled PostgreSQL
# starting beside it) or another replica races to create the database, it retries every 5 s for up to
# MIGRATE_WAIT_SECONDS. Replicas migrating at once take turns (Prisma's migration lock).
set -u
project="$1"
wait_seconds="${MIGRATE_WAIT_SECONDS:-300}"
deadline=$(($(date +%s) + wait_seconds))
attempt=1
while :; do
  if node tools/prisma/migrate.mjs "$project" deploy; then
    exit 0
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "migrate: $project: still failing after ${wait_seconds} s (MIGRATE_WAIT_SECONDS); giving up" >&2
    exit 1
  fi
  echo "migrate: $project: attempt $attempt failed; retrying in 5 s" >&2
  attempt=$((attempt + 1))
  sleep 5
done
