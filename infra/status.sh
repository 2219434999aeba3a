#!/usr/bin/env bash
# `npm run status`: what runs of the local stack: services (PID, /readiness; the cell's PID for each
# when `npm run up` runs them as one process, its default — with several cells (SB_CELLS), their
# primary's, and a line for each cell), its NATS and Prosody,
# and the PostgreSQL/Redis daemons (answering? started by these scripts?). Exit 0 when all six services
# are ready, 3 otherwise.
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

started_by_us() {
  [[ -f "$INFRA_STARTED" ]] && grep -q "^$1 " "$INFRA_STARTED"
}

printf '%-14s %-8s %-7s %s\n' SERVICE PID READY URL
all_ready=1
cell="$(cell_pid || true)"
for svc in "${SERVICES[@]}"; do
  port="${SERVICE_PORTS[$svc]}"
  pid="$(cat "$RUN_DIR/pids/$svc.pid" 2>/dev/null || true)"
  if [[ -n "$cell" ]]; then
    pid="$cell"
    code="$(http_status "$port" /readiness)"
  elif pid_alive "$pid" "dist/apps/$svc/src/main.js"; then
    code="$(http_status "$port" /readiness)"
  else
    pid="-"
    code="-"
  fi
  [[ "$code" == 200 ]] || all_ready=0
  printf '%-14s %-8s %-7s %s\n' "$svc" "$pid" "$code" "http://127.0.0.1:$port"
done

# Several cells (SB_CELLS > 1): the primary and each cell, how long each has run (a cell the primary
# started again after it died is younger than the others).
cells=()
[[ -n "$cell" ]] && mapfile -t cells < <(cell_children "$cell")
if ((${#cells[@]} > 0)); then
  echo
  printf '%-14s %-8s %-12s %s\n' CELL PID UP SERVICES
  since() { ps -o etime= -p "$1" 2>/dev/null | tr -d ' ' || echo -; }
  printf '%-14s %-8s %-12s %s\n' primary "$cell" "$(since "$cell")" "(starts a cell again when it dies)"
  for pid in "${cells[@]}"; do
    n="$(cell_number "$pid")"
    printf '%-14s %-8s %-12s %s\n' "cell $n" "$pid" "$(since "$pid")" \
      "$([[ "$n" == 1 ]] && echo "all six" || echo "all but the gateway and the xmpp-bridge")"
  done
fi

echo
printf '%-14s %-10s %s\n' DEPENDENCY STATE ADDRESS
for dep in "postgresql 5432" "redis 6379"; do
  read -r name port <<<"$dep"
  state=down
  if port_open 127.0.0.1 "$port"; then
    state=up
    started_by_us "$name" && state="up (ours)"
  fi
  printf '%-14s %-10s %s\n' "$name" "$state" "127.0.0.1:$port"
done
# NATS: the stack's own, or the one NATS_SERVERS named when `up` ran; its version as it announces it.
nats_line() { # STATE ADDRESS URL
  local version verdict
  version="$(nats_info_version "$3")"
  printf '%-14s %-10s %s\n' nats "$1" "$2"
  if verdict="$(nats_version_verdict "$version")"; then
    printf '%-14s %-10s %s\n' '' '' "$verdict"
  else
    printf '%-14s %-10s %s\n' '' '' "warning: $verdict"
  fi
}
if [[ -s "$RUN_DIR/nats-servers" ]]; then
  url="$(head -n 1 "$RUN_DIR/nats-servers")"
  if [[ -n "$(nats_info_version "$url")" ]]; then
    nats_line up "$url (NATS_SERVERS: not started by these scripts)" "$url"
  else
    printf '%-14s %-10s %s\n' nats "no answer" "$url (NATS_SERVERS)"
  fi
elif pid="$(stack_nats_pid)"; then
  nats_line "up (ours)" "127.0.0.1:$NATS_PORT (pid $pid, $(readlink "/proc/$pid/exe" 2>/dev/null || echo nats-server); identities in $NATS_DIR/identities)" "nats://127.0.0.1:$NATS_PORT"
elif port_open 127.0.0.1 "$NATS_PORT"; then
  nats_line up "127.0.0.1:$NATS_PORT (not started by these scripts)" "nats://127.0.0.1:$NATS_PORT"
else
  printf '%-14s %-10s %s\n' nats down "127.0.0.1:$NATS_PORT"
fi
if node infra/prosody/instance.mjs stack status >/dev/null 2>&1; then
  printf '%-14s %-10s %s\n' prosody "up (ours)" "127.0.0.1:$XMPP_PORT (STARTTLS), 127.0.0.1:$XMPP_TLS_PORT (direct TLS)"
else
  printf '%-14s %-10s %s\n' prosody down "127.0.0.1:$XMPP_PORT/$XMPP_TLS_PORT"
fi
echo
bash examples/agents.sh status || true
echo
if ((${#cells[@]} > 0)); then
  echo "the six services run in ${#cells[@]} cells under pid $cell (SB_CELLS; their lines all go to cell.log)"
elif [[ -n "$cell" ]]; then
  echo "the six services run as one process, the cell (pid $cell; SB_SHAPE=services runs one each)"
fi
echo "logs: $RUN_DIR/logs/"
((all_ready)) || exit 3
