#!/usr/bin/env bash
# `npm run up`: everything on this machine, then the two demo tasks through the gateway.
#   setup (packages, PostgreSQL/Redis, node_modules, Prisma) -> build -> migrations ->
#   the stack's NATS (127.0.0.1:4322, JetStream, one identity per service with its permissions) ->
#   the stack's Prosody (127.0.0.1:5222 STARTTLS, :5223 direct TLS) and its accounts ->
#   the sample remote agents and their bridges (examples/agents.sh) ->
#   the six services in the background -> wait for every /readiness -> the demos:
#     1. "what is 17 * 23, then save the result as a note"             (tools)
#     2. "ask the researcher about NATS JetStream, then have the writer draft a summary"
#        (A2A delegation to the sample agents, carried over XMPP by the xmpp-bridge)
# Safe to run again: processes it started before are stopped by PID and started fresh (the stack's
# NATS keeps its streams and identities).
#
# usage: infra/up.sh [--no-demo] [--no-build] [--no-agents]
#   --no-agents   do not start the sample agents (and skip the second demo)
# SB_SHAPE: how the six services run: `cell` (default: all six in one Node process, apps/cell;
# docs/operations.md "One process: the cell") or `services` (one process each, as in a cluster).
# SB_CELLS: how many cells (`auto`, the default: one per core; `1`: one process; docs/operations.md
# "Every core: several cells").
# env: SB_READY_TIMEOUT (s, default 120), SB_DEMO_TIMEOUT (s, default 120), SB_DEMO_TASK,
#      SB_DEMO_TASK_2, SB_PG_URL, SB_NATS_STORE; where the stack lives (for a second stack beside the
#      first, as the e2e test of this script does): SB_RUN_DIR (.run), SB_PORT_BASE (3000),
#      SB_NATS_PORT (SB_PORT_BASE + 1322), SB_XMPP_PORT (5222), SB_XMPP_TLS_PORT (5223), SB_ENV_FILE (.env);
#      the planner (docs/planner.md): OPENAI_BASE_URL / OPENAI_API_KEY / LLM_MODEL from the shell or .env,
#      else a local Ollama (127.0.0.1:11434) or LM Studio (127.0.0.1:1234) when one answers, else the
#      built-in planner; SB_LLM_DETECT=0 skips looking for a local server (infra/llm-detect.mjs)
# Settings: .env in the repo root (KEY=VALUE lines) overrides the defaults below; per-service
# databases come from ORCHESTRATOR_DATABASE_URL, MCP_TOOLS_DATABASE_URL, AUDIT_DATABASE_URL; a
# NATS_SERVERS there (or in the shell) replaces the stack's NATS with that one.
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEMO=1
BUILD=1
AGENTS=1
for arg in "$@"; do
  case "$arg" in
    --no-demo) DEMO=0 ;;
    --no-build) BUILD=0 ;;
    --no-agents) AGENTS=0 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown option: $arg (see --help)" ;;
  esac
done

cd "$ROOT"
SHAPE="${SB_SHAPE:-cell}"
[[ "$SHAPE" == services || "$SHAPE" == cell ]] || die "SB_SHAPE must be services or cell (got: '$SHAPE')"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
mkdir -p "$LOG_DIR" "$PID_DIR"
READY_TIMEOUT="${SB_READY_TIMEOUT:-120}"
DEMO_TASK="${SB_DEMO_TASK:-what is 17 * 23, then save the result as a note}"
DEMO_TASK_2="${SB_DEMO_TASK_2:-ask the researcher about NATS JetStream, then have the writer draft a summary}"
DEMO_TIMEOUT="${SB_DEMO_TIMEOUT:-120}"

bash infra/setup.sh

for svc in "${SERVICES[@]}"; do
  [[ -f "apps/$svc/src/main.ts" ]] || die "apps/$svc/src/main.ts does not exist yet: the services are not all written"
done

if ((BUILD)); then
  log "building (nx run-many -t build)"
  npx nx run-many -t build --outputStyle=static
fi
for svc in "${SERVICES[@]}" cell; do
  [[ -f "dist/apps/$svc/src/main.js" ]] || die "dist/apps/$svc/src/main.js is missing after the build"
done

# --- settings ------------------------------------------------------------------------------------
# The environment of this shell wins over .env (if any), which wins over the defaults below.
setdefault() { # NAME VALUE: export unless NAME is already set
  [[ -v "$1" ]] || export "$1=$2"
}

load_env_file() { # KEY=VALUE lines; quotes around the value are removed; no shell evaluation
  local file="$1" line key value
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line%$'\r'}"
    [[ "$line" =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    key="${BASH_REMATCH[2]}"
    value="${BASH_REMATCH[3]}"
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then value="${BASH_REMATCH[1]}"; fi
    setdefault "$key" "$value"
  done <"$file"
}

ENV_FILE="${SB_ENV_FILE:-.env}"
if [[ -f "$ENV_FILE" ]]; then
  log "reading settings from $ENV_FILE"
  load_env_file "$ENV_FILE"
fi

# NATS: the stack's own (each service as its own identity, allowed what its contracts declare), unless
# NATS_SERVERS names another one (then reached with the NATS_* settings given, as they are).
if [[ -v NATS_SERVERS ]]; then
  STACK_NATS=0
else
  STACK_NATS=1
  export NATS_SERVERS="nats://127.0.0.1:$NATS_PORT"
fi

PG="$(pg_base_url)"
# production, as users run it in production (dev auth is allowed because HOST stays on the loopback)
setdefault NODE_ENV production
setdefault LOG_LEVEL info
setdefault LOG_PRETTY false
setdefault HOST 127.0.0.1
setdefault SHUTDOWN_GRACE_MS 10000
setdefault AUTH_MODE dev
# the gateway's own default: a request without X-User-Id runs as this user (docs/auth.md)
setdefault TB_DEFAULT_USER_ID dev-user
setdefault REDIS_URL redis://127.0.0.1:6379
setdefault REDIS_KEY_PREFIX sb:
setdefault ORCHESTRATOR_DATABASE_URL "$PG/sb_orchestrator"
setdefault MCP_TOOLS_DATABASE_URL "$PG/sb_tools"
setdefault AUDIT_DATABASE_URL "$PG/sb_audit"
setdefault AZTM_HOST 127.0.0.1
setdefault AZTM_PORT "$XMPP_PORT"
setdefault AZTM_DOMAIN agents.switchboard.local
setdefault AZTM_TLS starttls
setdefault AZTM_VALIDATE_CERT true
setdefault AZTM_XMPP_TIMEOUT 30
setdefault AZTM_LOG_LEVEL info

# --- planner -------------------------------------------------------------------------------------
choose_planner

# --- migrations ----------------------------------------------------------------------------------
log "applying migrations"
sh infra/migrate.sh >"$LOG_DIR/migrate.log" 2>&1 || {
  tail -n 40 "$LOG_DIR/migrate.log" >&2
  die "migrations failed (full log: $LOG_DIR/migrate.log)"
}
ok "migrations applied (log: $LOG_DIR/migrate.log)"

# --- NATS ----------------------------------------------------------------------------------------
if ((STACK_NATS)); then
  log "starting the stack's NATS on 127.0.0.1:$NATS_PORT (one identity per service)"
  start_stack_nats
  rm -f "$RUN_DIR/nats-servers"
else
  ok "using the NATS at $NATS_SERVERS (NATS_SERVERS)"
  # for `npm run status`, which then reports that server's version
  printf '%s\n' "$NATS_SERVERS" >"$RUN_DIR/nats-servers"
fi
# Which nats-server the stack talks to, as the server itself announces it (its INFO).
NATS_VERSION="$(nats_info_version "$NATS_SERVERS")"
if NATS_VERDICT="$(nats_version_verdict "$NATS_VERSION")"; then
  ok "NATS: $NATS_VERDICT"
else
  warn "NATS at $NATS_SERVERS: $NATS_VERDICT"
  NATS_VERDICT="warning: $NATS_VERDICT"
fi

# --- XMPP ----------------------------------------------------------------------------------------
log "starting the stack's Prosody"
if ! node infra/prosody/instance.mjs stack start; then
  die "Prosody did not start (a system Prosody on $XMPP_PORT? stop it, e.g. systemctl stop prosody). Log: $RUN_DIR/prosody/prosody.log"
fi
# platform / researcher / writer @agents.switchboard.local, passwords generated once
load_env_file "$RUN_DIR/xmpp-accounts.env"
setdefault AZTM_JID "$XMPP_PLATFORM_JID"
setdefault AZTM_PASSWORD "$XMPP_PLATFORM_PASSWORD"
setdefault NODE_EXTRA_CA_CERTS "$RUN_DIR/prosody/certs/ca.crt"
setdefault XMPP_BRIDGE_CA_FILE "$RUN_DIR/prosody/certs/ca.crt"

# --- sample remote agents ------------------------------------------------------------------------
# researcher and writer: A2A servers on loopback, each behind its own bridge in server mode; the
# platform reaches them only through SERVICE_MAP -> its xmpp-bridge -> Prosody (examples/agents.env).
if ((AGENTS)); then
  load_env_file examples/agents.env
  log "starting the sample agents and their bridges (examples/agents.sh)"
  bash examples/agents.sh start >"$LOG_DIR/agents-start.log" 2>&1 || {
    tail -n 30 "$LOG_DIR/agents-start.log" >&2
    die "the sample agents did not start (log: $LOG_DIR/agents-start.log)"
  }
  ok "sample agents ready: researcher, writer (over XMPP only)"
elif pid_alive "$(cat "$PID_DIR/bridge-researcher.pid" 2>/dev/null || true)"; then
  bash examples/agents.sh stop
fi

# --- services ------------------------------------------------------------------------------------
service_pid() { # the PID of a service we started, if it still runs
  local svc="$1" pid
  pid="$(cat "$PID_DIR/$svc.pid" 2>/dev/null || true)"
  pid_alive "$pid" "dist/apps/$svc/src/main.js" && echo "$pid"
}

# Whatever shape ran before is stopped: the separate services, or the cell (it stops its services
# one after the other, hence the longer wait).
for svc in "${SERVICES[@]}"; do
  if pid="$(service_pid "$svc")"; then
    log "restarting $svc (was pid $pid)"
    stop_pid "$pid" "$svc" $((SHUTDOWN_GRACE_MS / 1000 + 5))
  fi
  rm -f "$PID_DIR/$svc.pid"
done
if pid="$(cell_pid)"; then
  log "restarting the cell (was pid $pid)"
  stop_cells $((6 * SHUTDOWN_GRACE_MS / 1000 + 5))
fi
rm -f "$PID_DIR/cell.pid"

for svc in "${SERVICES[@]}"; do
  port="${SERVICE_PORTS[$svc]}"
  if port_open 127.0.0.1 "$port"; then
    die "port $port (for $svc) is already in use by a process these scripts did not start; stop it and run again"
  fi
done

db_url_for() {
  case "$1" in
    orchestrator) echo "$ORCHESTRATOR_DATABASE_URL" ;;
    mcp-tools) echo "$MCP_TOOLS_DATABASE_URL" ;;
    audit) echo "$AUDIT_DATABASE_URL" ;;
    *) echo "" ;;
  esac
}

# What one service is given beside the common settings: its port, instance, database and NATS identity.
service_settings() { # SERVICE: KEY=VALUE lines
  local svc="$1" db
  db="$(db_url_for "$svc")"
  printf '%s\n' "PORT=${SERVICE_PORTS[$svc]}" "INSTANCE_ID=$svc-local-1" "SERVICE_NAME=$svc"
  [[ -n "$db" ]] && printf '%s\n' "DATABASE_URL=$db"
  if ((STACK_NATS)); then
    # its own identity (and no other way to authenticate beside it: up.sh unsets the others)
    printf '%s\n' "NATS_NKEY_SEED_FILE=$NATS_DIR/identities/$svc.nk"
    # the Live view reads the traffic as the read-only `live` identity, on a connection of its own
    [[ "$svc" == gateway ]] && printf '%s\n' "LIVE_NATS_NKEY_SEED_FILE=$NATS_DIR/identities/live.nk"
  fi
  return 0
}

if [[ "$SHAPE" == services ]]; then
  for svc in "${SERVICES[@]}"; do
    log "starting $svc on 127.0.0.1:${SERVICE_PORTS[$svc]}"
    printf '\n===== %s starting %s =====\n' "$(date -u +%FT%TZ)" "$svc" >>"$LOG_DIR/$svc.log"
    (
      unset DATABASE_URL
      ((STACK_NATS)) && unset NATS_USER NATS_PASSWORD NATS_TOKEN NATS_CREDS_FILE
      while IFS= read -r line; do export "${line?}"; done < <(service_settings "$svc")
      exec nohup node "dist/apps/$svc/src/main.js" >>"$LOG_DIR/$svc.log" 2>&1 </dev/null
    ) &
    echo $! >"$PID_DIR/$svc.pid"
  done
else
  # One process, or SB_CELLS of them under a primary (default: one per core; docs/operations.md
  # "Every core: several cells"): each service's own settings as <SERVICE>__<KEY>
  # (libs/config/src/cell-env.ts). Its lines, every cell's, go to cell.log.
  log "starting the cell: ${SERVICES[*]} (SB_CELLS=${SB_CELLS:-auto})"
  printf '\n===== %s starting the cell =====\n' "$(date -u +%FT%TZ)" >>"$LOG_DIR/cell.log"
  CELL_LOG_FROM=$(($(wc -c <"$LOG_DIR/cell.log") + 1))
  (
    unset DATABASE_URL
    ((STACK_NATS)) && unset NATS_USER NATS_PASSWORD NATS_TOKEN NATS_CREDS_FILE
    for svc in "${SERVICES[@]}"; do
      prefix="$(printf '%s' "$svc" | tr 'a-z-' 'A-Z_')__"
      while IFS= read -r line; do export "$prefix${line?}"; done < <(service_settings "$svc")
    done
    export SB_SERVICES=all INSTANCE_ID=cell-local-1
    exec nohup node "dist/apps/cell/src/main.js" >>"$LOG_DIR/cell.log" 2>&1 </dev/null
  ) &
  echo $! >"$PID_DIR/cell.pid"
fi

log_of() { # SERVICE: where its lines go
  if [[ "$SHAPE" == cell ]]; then echo "$LOG_DIR/cell.log"; else echo "$LOG_DIR/$1.log"; fi
}

log "waiting for /readiness (up to ${READY_TIMEOUT}s)"
deadline=$((SECONDS + READY_TIMEOUT))
pending=("${SERVICES[@]}")
while ((${#pending[@]} > 0)); do
  still=()
  for svc in "${pending[@]}"; do
    pid="$(cat "$PID_DIR/$([[ "$SHAPE" == cell ]] && echo cell || echo "$svc").pid")"
    if ! pid_alive "$pid"; then
      printf '\n--- last lines of %s ---\n' "$(log_of "$svc")" >&2
      tail -n 40 "$(log_of "$svc")" >&2
      die "$svc exited during start-up (log: $(log_of "$svc"))"
    fi
    code="$(http_status "${SERVICE_PORTS[$svc]}" /readiness)"
    if [[ "$code" == 200 ]]; then
      ok "$svc ready (pid $pid, http://127.0.0.1:${SERVICE_PORTS[$svc]})"
    else
      still+=("$svc")
    fi
  done
  pending=("${still[@]+"${still[@]}"}")
  ((${#pending[@]} == 0)) && break
  if ((SECONDS >= deadline)); then
    for svc in "${pending[@]}"; do
      printf '\n--- %s: /readiness answered %s; last lines of %s ---\n' "$svc" \
        "$(http_status "${SERVICE_PORTS[$svc]}" /readiness)" "$(log_of "$svc")" >&2
      tail -n 40 "$(log_of "$svc")" >&2
    done
    die "not ready after ${READY_TIMEOUT}s: ${pending[*]} (the services keep running; npm run down stops them)"
  fi
  sleep 0.5
done

# The cell says when all its services are ready, and so does the primary of several cells once every
# cell is: a port answers as soon as one cell listens on it.
CELLS_SUMMARY=""
if [[ "$SHAPE" == cell ]]; then
  pid="$(cat "$PID_DIR/cell.pid")"
  # (grep -c reads to the end: a grep -q leaving early would fail the pipe under pipefail)
  until [[ "$(tail -c +"$CELL_LOG_FROM" "$LOG_DIR/cell.log" | grep -cE '"msg":"cells? ready')" != 0 ]]; do
    if ! pid_alive "$pid"; then
      tail -n 40 "$LOG_DIR/cell.log" >&2
      die "the cell exited during start-up (log: $LOG_DIR/cell.log)"
    fi
    ((SECONDS < deadline)) || die "the cells were not all ready after ${READY_TIMEOUT}s (log: $LOG_DIR/cell.log; npm run down stops them)"
    sleep 0.5
  done
  mapfile -t cells < <(cell_children "$pid")
  if ((${#cells[@]} > 0)); then
    CELLS_SUMMARY="${#cells[@]} cells (SB_CELLS=${SB_CELLS:-auto}) under pid $pid: pids ${cells[*]}; the gateway and the xmpp-bridge in the first"
    ok "${#cells[@]} cells ready (pids ${cells[*]}; their primary: pid $pid)"
  else
    CELLS_SUMMARY="one process, the cell: pid $pid"
  fi
fi

run_demo() { # TASK
  log "demo: \"$1\""
  local demo_rc=0
  GATEWAY_URL="http://127.0.0.1:${SERVICE_PORTS[gateway]}" timeout "$DEMO_TIMEOUT" node tools/demo.mjs "$1" || demo_rc=$?
  if ((demo_rc == 124)); then
    die "the demo task did not finish within ${DEMO_TIMEOUT}s (logs: $LOG_DIR/; the services keep running: npm run down stops them)"
  elif ((demo_rc != 0)); then
    if ((LLM_FOUND)); then
      warn "the demo was planned by the LLM found on this machine ($PLANNER_CHOICE); SB_LLM_DETECT=0 npm run up uses the built-in planner"
    fi
    die "the demo task failed (logs: $LOG_DIR/; the services keep running: npm run down stops them)"
  fi
  echo
}

if ((DEMO)); then
  run_demo "$DEMO_TASK"
  if ((AGENTS)); then
    bridge_log="$(log_of xmpp-bridge)"
    xmpp_before="$(grep -c 'xmpp exchange' "$bridge_log" || true)"
    run_demo "$DEMO_TASK_2"
    xmpp_after="$(grep -c 'xmpp exchange' "$bridge_log" || true)"
    ok "the xmpp-bridge carried $((xmpp_after - xmpp_before)) HTTP exchanges over XMPP for that task; its log:"
    grep 'xmpp exchange' "$bridge_log" | tail -n "$((xmpp_after - xmpp_before))" | node -e '
      const lines = require("node:fs").readFileSync(0, "utf8").trim().split("\n").filter(Boolean);
      for (const l of lines) {
        const x = JSON.parse(l);
        console.log(`  ${x.time}  ${x.method} http://${x.host}${x.path} -> XMPP ${x.to}  ${x.status ?? x.outcome}  ${x.ms} ms`);
      }'
    echo
  fi
fi

cat <<EOF

${_B}Switchboard is running.${_N}
  gateway       http://127.0.0.1:${SERVICE_PORTS[gateway]}   (AUTH_MODE=$AUTH_MODE$([[ "$AUTH_MODE" == dev ]] && echo ": a request without X-User-Id runs as $TB_DEFAULT_USER_ID" || true))
  console       http://127.0.0.1:${SERVICE_PORTS[gateway]}/console/   (the web console: docs/console.md)
  services      ${SERVICES[*]}   (ports $PORT_BASE-$((PORT_BASE + 5)); $([[ "$SHAPE" == cell ]] && echo "$CELLS_SUMMARY; SB_SHAPE=services runs one each" || echo "one process each (SB_SHAPE=services)"))
  planner       $PLANNER_CHOICE
  NATS          $NATS_SERVERS$( ((STACK_NATS)) && echo "   (one identity per service, NKeys in $NATS_DIR/identities; switchboard tail connects as operator, call and audit verify as admin)" || echo "   (NATS_SERVERS: yours)")
                $NATS_VERDICT
  XMPP          127.0.0.1:$XMPP_PORT (STARTTLS) / $XMPP_TLS_PORT (direct TLS), accounts in $RUN_DIR/xmpp-accounts.env
  agents        $( ((AGENTS)) && echo "researcher, writer over XMPP (examples/agents.sh status)" || echo "not started (--no-agents)")
  logs          $([[ "$SHAPE" == cell ]] && echo "$LOG_DIR/cell.log (every cell's lines; each names its service and instance)" || echo "$LOG_DIR/<service>.log")   (Prosody: $RUN_DIR/prosody/prosody.log)
  status        npm run status
  stop          npm run down
EOF
