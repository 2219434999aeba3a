#!/usr/bin/env bash
# Runs a benchmark against the running stack (`npm run up` first):
#   npm run bench -- [core|<area>] [args]      e.g. npm run bench -- core --quick
# Benchmarks are TypeScript under bench/<area>/; they are compiled with swc (decorator metadata, path
# aliases) next to the libraries' build output and run with node.
set -euo pipefail
cd "$(dirname "$0")/.."
area="${1:-core}"
shift || true
[[ -d "bench/$area" ]] || { echo "no benchmark bench/$area" >&2; exit 2; }
NX_DAEMON=false npx nx run-many -t build --outputStyle=static >/dev/null
rm -rf "dist/bench/$area"
npx swc "bench/$area" -d dist --config-file .swcrc --only '**/*.ts' --ignore '**/*.spec.ts' --quiet
# What the areas share (bench/*.ts beside the area folders).
npx swc bench/stats.ts -d dist --config-file .swcrc --quiet
entry=$(ls dist/bench/"$area"/*.bench.js | head -1)
exec node --enable-source-maps "$entry" "$@"
