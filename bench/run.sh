#!/usr/bin/env bash
# Runs a benchmark (`core` against the running stack, `npm run up` first; the others start their own):
#   npm run bench -- [core|<area>] [args]      e.g. npm run bench -- core --quick, npm run bench -- soak
# Benchmarks are TypeScript under bench/<area>/; they are compiled with swc (decorator metadata, path
# aliases) next to the libraries' build output and run with node. An area with a package.json of its
# own (bench/peers) gets its own node_modules, installed on first use and linked beside its build.
set -euo pipefail
cd "$(dirname "$0")/.."
area="${1:-core}"
shift || true
[[ -d "bench/$area" ]] || { echo "no benchmark bench/$area" >&2; exit 2; }
# A clean clone: first what every bench builds and runs with (the project's Node 24 and node_modules,
# PostgreSQL started where absent). NATS and Redis are left alone: `core` measures `npm run up`'s
# stack, the other areas start private ones.
if [[ ! -x node_modules/.bin/nx ]]; then
  SB_SKIP_DAEMONS="nats redis" bash infra/setup.sh
  hash -r
fi
NX_DAEMON=false npx nx run-many -t build --outputStyle=static >/dev/null
if [[ -f "bench/$area/install-deps.sh" ]]; then bash "bench/$area/install-deps.sh"; fi
# An area may build on another's modules (soak starts Switchboard as peers does): compiled with it.
areas=("$area")
[[ "$area" == soak ]] && areas+=(peers)
for a in "${areas[@]}"; do
  rm -rf "dist/bench/$a"
  npx swc "bench/$a" -d dist --config-file .swcrc --only '**/*.ts' --ignore '**/*.spec.ts' \
    --ignore '**/node_modules/**' --quiet
done
if [[ -d "bench/$area/node_modules" ]]; then
  ln -s "$PWD/bench/$area/node_modules" "dist/bench/$area/node_modules"
fi
# What the areas share (bench/*.ts beside the area folders, the /proc CPU reader).
npx swc bench/stats.ts bench/core/process-cpu.ts -d dist --config-file .swcrc --quiet
entry=$(ls dist/bench/"$area"/*.bench.js | head -1)
exec node --enable-source-maps "$entry" "$@"
