#!/usr/bin/env bash
# Prepares this machine for Switchboard. Idempotent: run it as often as you like.
#   1. installs what is missing of nats-server, postgresql, redis-server, prosody, openssl, unzip,
#      python3-slixmpp, chromium (apt), and fetches the pinned nats-server (infra/nats-server.env: what
#      the stack, the tests, compose and the chart run), Prometheus and promtool into tools/bin/;
#   2. starts PostgreSQL and Redis when nothing answers on their port, and records in
#      .run/infra-started the ones it started (`npm run down` stops only those); NATS is the stack's
#      own, with the platform's identities, started by infra/up.sh;
#   3. brings node_modules up to date with package-lock.json (npm ci), which includes the project's own
#      Node 24 (node_modules/.bin/node, used by every script whatever the machine's Node), and generates
#      the Prisma clients.
#
# usage: infra/setup.sh [--no-start]
#   --no-start   install only; start no daemon (the test suites start private instances themselves)
# env: SB_SKIP_DAEMONS="postgresql redis" (either) leaves those to you (e.g. they run elsewhere);
#      SB_PG_URL=postgresql://USER:PASSWORD@HOST:5432 when passwordless postgres@127.0.0.1 does not work.
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START=1
for arg in "$@"; do
  case "$arg" in
    --no-start) START=0 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown option: $arg (see --help)" ;;
  esac
done

cd "$ROOT"
mkdir -p "$RUN_DIR"

# --- 1. system packages --------------------------------------------------------------------------
# package -> a file it installs (checked when dpkg is not there to ask)
declare -A PACKAGE_FILES=(
  [nats-server]=/usr/sbin/nats-server
  [postgresql]=/usr/bin/pg_ctlcluster
  [redis-server]=/usr/bin/redis-server
  [prosody]=/usr/bin/prosodyctl
  [openssl]=/usr/bin/openssl
  [unzip]=/usr/bin/unzip
  [python3-slixmpp]=/usr/lib/python3/dist-packages/slixmpp
  [chromium]=/usr/bin/chromium
)
# nats-server: the machine's own (2.9 on bookworm), which some tests run as a user's older server; the
# stack runs the pinned one fetched below.
# python3-slixmpp: an independent XEP-0332 implementation the bridge's interop tests talk to.
# chromium: the browser the console's end-to-end tests drive (playwright-core cannot download one).
PACKAGES=(nats-server postgresql redis-server prosody openssl unzip python3-slixmpp chromium)

package_installed() {
  local pkg="$1"
  if command -v dpkg-query >/dev/null 2>&1; then
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' && return 0
  fi
  [[ -x "${PACKAGE_FILES[$pkg]}" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  package_installed "$pkg" || missing+=("$pkg")
done

INSTALLED_NOW=()
if ((${#missing[@]} == 0)); then
  ok "system packages present: ${PACKAGES[*]}"
else
  command -v apt-get >/dev/null 2>&1 ||
    die "missing: ${missing[*]}. This script installs them with apt on Debian/Ubuntu; on other systems install them yourself (or use docker compose up), then run it again."
  if ! is_root && ! command -v sudo >/dev/null 2>&1; then
    die "missing: ${missing[*]}. Installing them needs root: run this as root or install sudo."
  fi
  log "installing ${missing[*]} (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  for pkg in "${missing[@]}"; do
    package_installed "$pkg" || die "apt-get did not install $pkg"
  done
  INSTALLED_NOW=("${missing[@]}")
  ok "installed ${missing[*]}"
fi

# A freshly installed Prosody may have been started as a system service (systemd hosts) and would then
# hold 5222/5223, which the stack's private instance uses. Only a service we just installed is stopped.
if [[ " ${INSTALLED_NOW[*]} " == *" prosody "* ]] && command -v systemctl >/dev/null 2>&1 &&
  systemctl is-active --quiet prosody 2>/dev/null; then
  log "stopping the system Prosody service that apt just started (the stack runs its own instance)"
  as_root systemctl disable --now prosody || warn "could not stop the system prosody service"
fi

# Binaries that nothing installs system-wide, taken from Debian packages with a private apt state
# (nothing is installed or changed on the machine) into tools/bin/ (gitignored; infra/deb-binaries.sh):
#   - the pinned nats-server (infra/nats-server.env: the version `npm run up`, the tests, the benches,
#     docker-compose.yml and the chart run; trixie's package is a static binary), beside the machine's
#     own (bookworm's 2.9, which some tests also run, as a user's older server);
#   - Prometheus and promtool (bookworm's, static): the tests load the shipped alert rules and run the
#     dashboard's queries against the services' real metrics.
# shellcheck source=infra/deb-binaries.sh
source "$ROOT/infra/deb-binaries.sh"
fetch_pinned_nats_server
fetch_deb_binaries bookworm prometheus "$ROOT/tools/bin/prometheus" 'version 2\.' prometheus promtool

# --- 2. daemons ----------------------------------------------------------------------------------
start_postgres() {
  if port_open 127.0.0.1 5432; then
    ok "PostgreSQL already answers on 127.0.0.1:5432"
  else
    local version
    version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$version" && -d "/etc/postgresql/$version/main" ]] ||
      die "no PostgreSQL cluster under /etc/postgresql (expected <version>/main; try: pg_createcluster <version> main)"
    log "starting PostgreSQL $version/main"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    record_started postgresql pg_ctlcluster "$version main"
    wait_port 127.0.0.1 5432 PostgreSQL 60 || die "PostgreSQL did not answer on 127.0.0.1:5432 within 60s (see /var/log/postgresql/)"
  fi
  ensure_pg_login
}

# The stack connects as postgres without a password over 127.0.0.1 (trust), as on the dev machines.
# A cluster that apt just created asks for passwords: give loopback trust to that one only.
ensure_pg_login() {
  local url
  url="$(pg_base_url)"
  if pg_try "$url"; then
    return 0
  fi
  if [[ " ${INSTALLED_NOW[*]} " == *" postgresql "* || -f "$RUN_DIR/pg-trust-by-setup" ]]; then
    local version hba
    version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n 1)"
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    log "allowing passwordless loopback logins in $hba (a cluster setup.sh installed)"
    as_root sed -i -e '1i host all all 127.0.0.1/32 trust' -e '1i host all all ::1/128 trust' "$hba"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    touch "$RUN_DIR/pg-trust-by-setup"
    local deadline=$((SECONDS + 20))
    until pg_try "$url"; do
      ((SECONDS < deadline)) || die "PostgreSQL still refuses $url"
      sleep 0.2
    done
    return 0
  fi
  die "PostgreSQL on 127.0.0.1:5432 refuses $url. Set SB_PG_URL=postgresql://USER:PASSWORD@127.0.0.1:5432 (a role with CREATEDB) and run again."
}

pg_try() {
  PGCONNECT_TIMEOUT=3 psql -w -Atq -d "$1/postgres" -c 'select 1' >/dev/null 2>&1
}

# A daemon recorded as ours whose PID is gone is no longer ours (something else answers now).
prune_started() {
  local name="$1" expect="$2" method arg
  [[ -f "$INFRA_STARTED" ]] || return 0
  read -r method arg < <(awk -v n="$name" '$1 == n { $1 = ""; print substr($0, 2) }' "$INFRA_STARTED") || return 0
  if [[ "$method" == pid ]] && ! pid_alive "$arg" "$expect"; then
    forget_started "$name"
  fi
}

start_redis() {
  if port_open 127.0.0.1 6379; then
    prune_started redis redis-server
    ok "Redis already answers on 127.0.0.1:6379"
    return 0
  fi
  log "starting Redis"
  local pidfile="$RUN_DIR/redis.pid"
  rm -f "$pidfile"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --pidfile "$pidfile" --logfile "$RUN_DIR/redis.log" --dir "$RUN_DIR"
  wait_port 127.0.0.1 6379 Redis 30 || die "Redis did not answer on 127.0.0.1:6379 within 30s (see $RUN_DIR/redis.log)"
  local deadline=$((SECONDS + 10))
  until [[ -s "$pidfile" ]]; do
    ((SECONDS < deadline)) || die "Redis wrote no pidfile ($pidfile)"
    sleep 0.1
  done
  record_started redis pid "$(cat "$pidfile")"
}

skipped() { [[ " ${SB_SKIP_DAEMONS:-} " == *" $1 "* ]]; }
if ((START)); then
  if skipped postgresql; then ok "SB_SKIP_DAEMONS: not managing PostgreSQL"; else start_postgres; fi
  if skipped redis; then ok "SB_SKIP_DAEMONS: not managing Redis"; else start_redis; fi
  # NATS is the stack's own, with the platform's identities: infra/up.sh starts it.
else
  ok "--no-start: not starting PostgreSQL or Redis"
fi

# --- 3. node_modules and generated code ----------------------------------------------------------
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp="node_modules/.sb-lock-hash"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_hash" ]]; then
  ok "node_modules matches package-lock.json"
elif [[ -f node_modules/.package-lock.json && ! node_modules/.package-lock.json -ot package-lock.json ]]; then
  # npm install ran after the lock file last changed (it rewrites both): node_modules is current.
  echo "$lock_hash" >"$stamp"
  ok "node_modules is newer than package-lock.json"
else
  # The lock file records every platform's native packages (tools/lockfile/complete-platforms.mjs), so
  # npm ci works on any machine; it also installs the project's Node 24 (the `node` devDependency).
  log "installing node modules (npm ci)"
  npm ci --no-audit --no-fund
  sha256sum package-lock.json | cut -d' ' -f1 >"$stamp"
fi
hash -r
project_node="$ROOT/node_modules/.bin/node"
[[ -x "$project_node" ]] || die "npm ci did not install the project's Node ($project_node); run: npm ci"
node_version="$("$project_node" --version)"
[[ "$node_version" == "v$NODE_MAJOR."* ]] ||
  die "the project's Node is $node_version, expected v$NODE_MAJOR.x (node_modules/node); run: npm ci"
ok "Node $node_version (node_modules/.bin/node; the machine has $(/usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin node --version 2>/dev/null || echo none))"

log "Prisma clients (generated where a schema changed)"
node tools/prisma/generate.mjs
node tools/helm/get-helm.mjs --quiet
ok "setup complete"
