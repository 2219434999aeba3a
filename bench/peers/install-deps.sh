#!/usr/bin/env bash
# Installs bench/peers' own dependencies (LangGraph JS, Mastra; never the platform's) from its lock
# file with `npm ci`, only when they are missing or the lock file changed since the last install.
# bench's typecheck and lint run it first (not a task of its own, so that a cached typecheck and lint
# install nothing); they may run at once, so one install runs at a time (a lock on this script).
set -euo pipefail
cd "$(dirname "$0")"
exec 9<install-deps.sh
flock 9
stamp=node_modules/.installed-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "bench/peers: installing LangGraph JS, Mastra and Restate (npm ci, its own package-lock.json)" >&2
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
echo "$want" >"$stamp"
