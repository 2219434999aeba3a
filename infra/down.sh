#!/usr/bin/env bash
# `npm run down`: stops what `npm run up` started, by PID: the six services (or the cell that runs
# them, the default shape, or its cells and their primary), the sample agents and
# their bridges, the stack's Prosody and NATS, and
# PostgreSQL/Redis/NATS only when .run/infra-started says these scripts started them. Daemons that were
# already running before (the machine's own) are left alone.
#
# usage: infra/down.sh [--keep-infra]
#   --keep-infra   leave PostgreSQL/Redis/NATS running even if these scripts started them
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEEP_INFRA=0
for arg in "$@"; do
  case "$arg" in
    --keep-infra) KEEP_INFRA=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown option: $arg (see --help)" ;;
  esac
done
cd "$ROOT"

# Services, gateway first (reverse start order), each with its own grace period.
for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
  svc="${SERVICES[$i]}"
  pidfile="$RUN_DIR/pids/$svc.pid"
  [[ -f "$pidfile" ]] || continue
  pid="$(cat "$pidfile")"
  if pid_alive "$pid" "dist/apps/$svc/src/main.js"; then
    stop_pid "$pid" "$svc" 20
  fi
  rm -f "$pidfile"
done
# The cell (the default shape): one process, which stops its services itself, the gateway first; or
# the primary of several cells (SB_CELLS), which stops them, then any cell left, by PID.
stop_cells 60
rm -f "$RUN_DIR/pids/cell.pid"

# The sample agents and their bridges (examples/agents.sh keeps their PIDs in .run/pids/).
bash examples/agents.sh stop

# The stack's Prosody (its instance.json/pidfile name the PID; checked against its config path).
if [[ -d "$RUN_DIR/prosody" ]]; then
  node infra/prosody/instance.mjs stack stop
fi

# The stack's NATS (its pidfile, checked against its configuration); its streams stay in $NATS_DIR.
stop_stack_nats

if ((KEEP_INFRA)); then
  ok "--keep-infra: PostgreSQL, Redis and NATS left running"
  exit 0
fi

if [[ -s "$INFRA_STARTED" ]]; then
  # NATS (started on 4222 by earlier versions of setup.sh) and Redis first, PostgreSQL last; only
  # what these scripts recorded.
  for name in nats redis postgresql; do
    stop_recorded_daemon "$name"
  done
else
  ok "no PostgreSQL/Redis/NATS started by these scripts: leaving them alone"
fi
ok "down"
