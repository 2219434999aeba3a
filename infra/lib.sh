# shellcheck shell=bash
# Helpers shared by infra/*.sh. Source it; it sets ROOT, RUN_DIR and a few functions. Never kills by
# name: every process these scripts stop is one they started, found by PID.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# SB_RUN_DIR moves the stack's state (PIDs, logs, Prosody, accounts) out of .run/, e.g. for a second
# stack beside the first; exported so that every script and instance.mjs agree on it.
RUN_DIR="${SB_RUN_DIR:-$ROOT/.run}"
[[ "$RUN_DIR" == /* ]] || RUN_DIR="$PWD/$RUN_DIR"
export SB_RUN_DIR="$RUN_DIR"
INFRA_STARTED="$RUN_DIR/infra-started"
export NX_DAEMON=false
# The project runs on its own Node 24 (the `node` devDependency, installed by setup.sh into
# node_modules/.bin), whatever Node the machine has; npm scripts put it first on PATH, and so do these.
case ":$PATH:" in
  *":$ROOT/node_modules/.bin:"*) ;;
  *) export PATH="$ROOT/node_modules/.bin:$PATH" ;;
esac
NODE_MAJOR=24

if [[ -t 1 ]]; then
  _B=$'\e[1m' _G=$'\e[32m' _Y=$'\e[33m' _R=$'\e[31m' _N=$'\e[0m'
else
  _B='' _G='' _Y='' _R='' _N=''
fi

log() { printf '%s==>%s %s\n' "$_B" "$_N" "$*"; }
ok() { printf '%s ok%s %s\n' "$_G" "$_N" "$*"; }
warn() { printf '%swarn%s %s\n' "$_Y" "$_N" "$*" >&2; }
die() {
  printf '%serror%s %s\n' "$_R" "$_N" "$*" >&2
  exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Runs a command as root: directly when root, through sudo otherwise.
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $* (run as root, or install sudo)"
  fi
}

# True when something accepts TCP connections on host:port.
port_open() {
  local host="$1" port="$2"
  timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null
}

# Polls until host:port accepts connections; fails after the deadline (seconds).
wait_port() {
  local host="$1" port="$2" what="$3" deadline=$((SECONDS + ${4:-30}))
  until port_open "$host" "$port"; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.2
  done
  ok "$what answers on $host:$port"
}

# wait_port, for a process just started: stops waiting as soon as PID has ended (returns 2), e.g. a
# server that could not bind its port, instead of waiting out the deadline.
wait_port_of() {
  local pid="$1" host="$2" port="$3" what="$4" deadline=$((SECONDS + ${5:-30}))
  until port_open "$host" "$port"; do
    if ! pid_alive "$pid"; then
      return 2
    fi
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.2
  done
  ok "$what answers on $host:$port"
}

# True when PID is a live (non-zombie) process; with a second argument, only when its command line
# contains that text (guards against a recycled PID).
pid_alive() {
  local pid="$1" expect="${2:-}"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || [[ -d "/proc/$pid" ]] || return 1
  if [[ -r "/proc/$pid/stat" ]]; then
    local state
    state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null || true)"
    [[ "$state" == Z || "$state" == X ]] && return 1
  fi
  if [[ -n "$expect" && -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$expect" || return 1
  fi
  return 0
}

# Stops one PID: SIGTERM, a bounded wait, then SIGKILL. Uses root only when needed.
stop_pid() {
  local pid="$1" what="$2" grace="${3:-15}" deadline
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || as_root kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + grace))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      warn "$what (pid $pid) did not stop within ${grace}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || as_root kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  ok "stopped $what (pid $pid)"
}

# GET http://127.0.0.1:PORT/PATH with bash alone; prints the status code (000 when unreachable).
http_status() {
  local port="$1" path="$2" line
  # shellcheck disable=SC2016 # expanded by the inner bash
  line="$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" "$2" >&3
    IFS= read -r status <&3 && printf "%s" "$status"
  ' _ "$port" "$path" 2>/dev/null || true)"
  [[ "$line" =~ ^HTTP/[0-9.]+\ ([0-9]{3}) ]] && echo "${BASH_REMATCH[1]}" || echo 000
}

# .run/infra-started holds one line per daemon that OUR scripts started: "<name> <method> <arg>",
# method "pid" (arg = PID) or "pg_ctlcluster" (arg = "<version> <cluster>").
record_started() {
  local name="$1" method="$2" arg="$3"
  mkdir -p "$RUN_DIR"
  touch "$INFRA_STARTED"
  grep -v "^$name " "$INFRA_STARTED" >"$INFRA_STARTED.tmp" || true
  printf '%s %s %s\n' "$name" "$method" "$arg" >>"$INFRA_STARTED.tmp"
  mv "$INFRA_STARTED.tmp" "$INFRA_STARTED"
}

forget_started() {
  local name="$1"
  [[ -f "$INFRA_STARTED" ]] || return 0
  grep -v "^$name " "$INFRA_STARTED" >"$INFRA_STARTED.tmp" || true
  mv "$INFRA_STARTED.tmp" "$INFRA_STARTED"
}

# Names (nats, redis, postgresql) recorded in .run/infra-started, one per line.
recorded_daemons() {
  [[ -f "$INFRA_STARTED" ]] && awk '{ print $1 }' "$INFRA_STARTED" || true
}

# Stops one daemon recorded in .run/infra-started (by its PID, or pg_ctlcluster for PostgreSQL) and
# forgets it. Nothing happens for a name that is not recorded.
stop_recorded_daemon() {
  local name="$1" method arg expect version cluster
  [[ -f "$INFRA_STARTED" ]] || return 0
  read -r method arg < <(awk -v n="$name" '$1 == n { $1 = ""; print substr($0, 2) }' "$INFRA_STARTED") || return 0
  case "$method" in
    pid)
      expect="nats-server"
      [[ "$name" == redis ]] && expect="redis-server"
      if pid_alive "$arg" "$expect"; then
        stop_pid "$arg" "$name" 30
      else
        ok "$name (pid $arg) is no longer running"
      fi
      ;;
    pg_ctlcluster)
      read -r version cluster <<<"$arg"
      log "stopping PostgreSQL $version/$cluster"
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" stop || warn "pg_ctlcluster stop failed"
      ;;
    *) warn "unknown entry in $INFRA_STARTED: $name $method $arg" ;;
  esac
  forget_started "$name"
}

# The PostgreSQL base URL (no database) the stack uses: SB_PG_URL, else what setup.sh found to work.
pg_base_url() {
  if [[ -n "${SB_PG_URL:-}" ]]; then
    printf '%s' "${SB_PG_URL%/}"
  elif [[ -s "$RUN_DIR/pg-url" ]]; then
    cat "$RUN_DIR/pg-url"
  else
    printf 'postgresql://postgres@127.0.0.1:5432'
  fi
}

# A port setting from the environment: digits, within 1024-65535, or the script stops naming it.
port_setting() { # NAME DEFAULT
  local value="${!1:-$2}"
  [[ "$value" =~ ^[1-9][0-9]{3,4}$ ]] && ((value >= 1024 && value <= 65535)) ||
    die "$1 must be a port number between 1024 and 65535 (got: '$value')"
  echo "$value"
}

# The six services, in start order, and their ports: SB_PORT_BASE (3000) + 0..5. The sample agents
# of examples/agents.sh sit at SB_PORT_BASE + 105/106 (bridges) and + 1101/1102 (agents), the stack's
# NATS at + 1322 (SB_NATS_PORT); the stack's Prosody at SB_XMPP_PORT (5222, STARTTLS) and
# SB_XMPP_TLS_PORT (5223, direct TLS).
# shellcheck disable=SC2034 # used by the scripts that source this file
SERVICES=(audit mcp-tools orchestrator a2a xmpp-bridge gateway)
PORT_BASE="$(port_setting SB_PORT_BASE 3000)"
((PORT_BASE + 1322 <= 65535)) || die "SB_PORT_BASE must leave room for its ports up to +1322 (got: $PORT_BASE)"
# shellcheck disable=SC2034
declare -A SERVICE_PORTS=([gateway]=$PORT_BASE [orchestrator]=$((PORT_BASE + 1)) [mcp-tools]=$((PORT_BASE + 2))
  [a2a]=$((PORT_BASE + 3)) [audit]=$((PORT_BASE + 4)) [xmpp-bridge]=$((PORT_BASE + 5)))
XMPP_PORT="$(port_setting SB_XMPP_PORT 5222)"
XMPP_TLS_PORT="$(port_setting SB_XMPP_TLS_PORT 5223)"
export SB_XMPP_PORT="$XMPP_PORT" SB_XMPP_TLS_PORT="$XMPP_TLS_PORT"
# The stack's own NATS (JetStream, one identity per service): SB_NATS_PORT, default SB_PORT_BASE + 1322
# (4322), never the machine's 4222, whose NATS has no accounts for the platform.
NATS_PORT="$(port_setting SB_NATS_PORT $((PORT_BASE + 1322)))"
NATS_DIR="$RUN_DIR/nats"

# The PID of the cell `SB_SHAPE=cell npm run up` started (all six services in one process), if it runs;
# with SB_CELLS > 1, the primary of the cells.
cell_pid() {
  local pid
  pid="$(cat "$RUN_DIR/pids/cell.pid" 2>/dev/null || true)"
  pid_alive "$pid" "dist/apps/cell/src/main.js" && echo "$pid"
}

# The cells under the cells' primary PID (SB_CELLS > 1: its children running the cell's entry point),
# one a line; nothing for a single cell, which has none. Found from the kernel's list of the
# primary's children, never by name.
cell_children() { # PID
  local children pid
  children="$(cat /proc/"$1"/task/*/children 2>/dev/null || ps -o pid= --ppid "$1" 2>/dev/null || true)"
  for pid in $children; do
    pid_alive "$pid" "dist/apps/cell/src/main.js" && echo "$pid"
  done
  return 0
}

# Which of several cells a cell PID is (its SB_CELL, set by the primary), or '?'.
cell_number() { # PID
  local n
  n="$(tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | sed -n 's/^SB_CELL=//p' | head -n 1)"
  echo "${n:-?}"
}

# Stops the cell (or the primary of several, which stops its cells itself, each within its grace),
# then any of its cells still running (the primary killed after its grace: they exit with it, but
# are checked by PID all the same).
stop_cells() { # GRACE_SECONDS
  local pid cells
  pid="$(cell_pid)" || return 0
  cells="$(cell_children "$pid")"
  stop_pid "$pid" "the cell$([[ -n "$cells" ]] && echo "s' primary")" "$1"
  for pid in $cells; do
    pid_alive "$pid" "dist/apps/cell/src/main.js" && stop_pid "$pid" "cell pid $pid" 10
  done
  return 0
}

# The nats-server version the project runs everywhere, and the oldest it supports (infra/nats-server.env:
# NATS_SERVER_VERSION, NATS_SERVER_DEBIAN_SUITE, NATS_SERVER_MIN_VERSION), and where setup.sh puts
# that version's binary.
# shellcheck source=infra/nats-server.env
source "$ROOT/infra/nats-server.env"
NATS_SERVER_BIN="$ROOT/tools/bin/nats-server/nats-server"

# True when version A is older than version B (2.9.10 < 2.10.0).
version_lt() {
  [[ "$1" != "$2" && "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" == "$1" ]]
}

# The version a nats-server binary prints (2.10.27), empty when there is none.
nats_binary_version() {
  [[ -x "$1" ]] || return 0
  "$1" --version 2>/dev/null | sed -nE 's/^nats-server: v?([0-9][^ ]*).*$/\1/p' | head -n 1
}

# The machine's own nats-server (Debian's package: 2.9.10 on bookworm), if any.
machine_nats_server() {
  local bin
  for bin in "$(command -v nats-server || true)" /usr/sbin/nats-server /usr/bin/nats-server; do
    [[ -n "$bin" && -x "$bin" && "$bin" != "$NATS_SERVER_BIN" ]] && echo "$bin" && return 0
  done
  return 1
}

# The version a NATS server announces in its INFO, which it sends every client on connect before any
# authentication (and before TLS, unless the server wants TLS first): empty when it sent none.
# Takes a NATS_SERVERS value (nats://user:pass@host:port,...): its first server, port 4222 by default.
nats_info_version() {
  local url="${1%%,*}" hostport host port line
  hostport="${url#*://}"
  hostport="${hostport##*@}"
  hostport="${hostport%%/*}"
  if [[ "$hostport" =~ ^\[(.*)\](:([0-9]+))?$ ]]; then
    host="${BASH_REMATCH[1]}" port="${BASH_REMATCH[3]:-4222}"
  else
    host="${hostport%%:*}" port=4222
    [[ "$hostport" == *:* ]] && port="${hostport##*:}"
  fi
  # shellcheck disable=SC2016 # expanded by the inner bash
  line="$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && IFS= read -r line <&3 && printf "%s" "$line"' \
    _ "$host" "$port" 2>/dev/null || true)"
  [[ "$line" =~ ^INFO\ .*\"version\":\"([^\"]+)\" ]] && echo "${BASH_REMATCH[1]}"
  return 0
}

# How a nats-server version compares with the project's: the pinned one, another supported one, or one
# older than the supported minimum (then WHY says what that costs, from docs/operations.md). Prints one
# line; returns 1 when the version is unknown or older than the minimum.
nats_version_verdict() {
  local version="$1"
  if [[ -z "$version" ]]; then
    echo "version unknown (no INFO from the server); the project runs nats-server $NATS_SERVER_VERSION and needs $NATS_SERVER_MIN_VERSION or newer"
    return 1
  elif [[ "$version" == "$NATS_SERVER_VERSION" ]]; then
    echo "nats-server $version (the version the project pins: infra/nats-server.env)"
  elif version_lt "$version" "$NATS_SERVER_MIN_VERSION"; then
    echo "nats-server $version is older than $NATS_SERVER_MIN_VERSION, the oldest supported: on 2.9.10 a task costs nats-server 4× the CPU, the stack runs 2.5× slower, and the cost per task grows with the stored history (docs/operations.md, \"NATS version\"); the project runs $NATS_SERVER_VERSION"
    return 1
  else
    echo "nats-server $version (supported; the project pins $NATS_SERVER_VERSION, which the tests, compose and the chart run)"
  fi
}

# The nats-server binary the stack runs: the pinned one setup.sh fetched, else (with a warning) the
# machine's.
stack_nats_binary() {
  if [[ -x "$NATS_SERVER_BIN" ]]; then
    echo "$NATS_SERVER_BIN"
    return 0
  fi
  local machine
  machine="$(machine_nats_server)" ||
    die "no nats-server: neither $NATS_SERVER_BIN (bash infra/setup.sh fetches it) nor one on PATH"
  warn "the pinned nats-server $NATS_SERVER_VERSION is not at ${NATS_SERVER_BIN#"$ROOT/"} (bash infra/setup.sh fetches it): running the machine's $machine ($(nats_binary_version "$machine"))"
  echo "$machine"
}

# The PID of the stack's NATS, if it runs (checked against its configuration file).
stack_nats_pid() {
  local pid
  pid="$(cat "$NATS_DIR/nats.pid" 2>/dev/null || true)"
  pid_alive "$pid" "$NATS_DIR/nats.conf" && echo "$pid"
}

# Renders the stack's NATS configuration from the contracts (tools/nats/local-nats.ts: the identities'
# NKeys, made once, and their permissions) and (re)starts it.
start_stack_nats() {
  local pid bin store="${SB_NATS_STORE:-$NATS_DIR/data}"
  mkdir -p "$store"
  tsx --tsconfig "$ROOT/tsconfig.base.json" "$ROOT/tools/nats/local-nats.ts" --dir "$NATS_DIR" \
    --port "$NATS_PORT" --store "$store" >/dev/null ||
    die "could not write the stack's NATS configuration ($NATS_DIR)"
  # restarted, like everything `up` started before: its streams stay in the store
  if pid="$(stack_nats_pid)"; then
    stop_pid "$pid" "the stack's NATS" 30
  fi
  if port_open 127.0.0.1 "$NATS_PORT"; then
    die "port $NATS_PORT (the stack's NATS) is in use by a process these scripts did not start; stop it or set SB_NATS_PORT"
  fi
  bin="$(stack_nats_binary)"
  (exec nohup "$bin" -c "$NATS_DIR/nats.conf" >>"$NATS_DIR/nats.log" 2>&1 </dev/null) &
  pid=$!
  echo "$pid" >"$NATS_DIR/nats.pid"
  local waited=0
  wait_port_of "$pid" 127.0.0.1 "$NATS_PORT" "the stack's NATS" 30 || waited=$?
  case "$waited" in
    0) ;;
    2) die "the stack's NATS exited before it answered on 127.0.0.1:$NATS_PORT; its log ($NATS_DIR/nats.log) ends: $(tail -n 3 "$NATS_DIR/nats.log" | tr '\n' ' ')" ;;
    *) die "the stack's NATS did not answer on 127.0.0.1:$NATS_PORT within 30s (see $NATS_DIR/nats.log)" ;;
  esac
}

stop_stack_nats() {
  local pid
  if pid="$(stack_nats_pid)"; then
    stop_pid "$pid" "the stack's NATS" 30
  fi
  rm -f "$NATS_DIR/nats.pid"
}

# Chooses the stack's planner (infra/llm-detect.mjs): the shell's or .env's OPENAI_BASE_URL /
# OPENAI_API_KEY / LLM_MODEL, else a local OpenAI-compatible server it finds (Ollama, LM Studio), else
# the built-in planner. Exports what it chose (OPENAI_BASE_URL, LLM_MODEL, read as plain KEY=VALUE,
# never evaluated), sets PLANNER_CHOICE (the reason shown) and LLM_FOUND (1 when it found a server),
# and prints the choice.
choose_planner() {
  local out line
  out="$(node "$ROOT/infra/llm-detect.mjs")" || die "could not choose the planner (infra/llm-detect.mjs)"
  PLANNER_CHOICE='' LLM_FOUND=0
  while IFS= read -r line; do
    case "$line" in
      OPENAI_BASE_URL=*)
        export "$line"
        LLM_FOUND=1
        ;;
      LLM_MODEL=*) export "$line" ;;
      'planner: '*) PLANNER_CHOICE="${line#planner: }" ;;
    esac
  done <<<"$out"
  ok "planner: $PLANNER_CHOICE"
}

# Prints the comment block at the top of the calling script (its help text).
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[1]}"
}
