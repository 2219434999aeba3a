#!/usr/bin/env bash
# `npm run chaos -- [--quick | --cluster | --cell | --only <fault>,... | --list]`: builds the six services
# and the cell (a no-op when Nx's cache has them), then runs the chaos suite (tools/chaos/main.ts) against
# their build output.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH"
if [[ " $* " != *" --list "* && " $* " != *" --help "* ]]; then
  out="$(mktemp)"
  if ! NX_DAEMON=false npx nx run-many -t build -p gateway,orchestrator,mcp-tools,a2a,audit,xmpp-bridge,cell \
    --outputStyle=static >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    echo "chaos: the build failed" >&2
    exit 2
  fi
  rm -f "$out"
fi
exec tsx --tsconfig tsconfig.base.json tools/chaos/main.ts "$@"
