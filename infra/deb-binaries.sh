# shellcheck shell=bash
# Binaries that nothing installs system-wide, taken from Debian packages with a private apt state
# (nothing is installed or changed on the machine) into tools/bin/ (gitignored). Sourced by setup.sh,
# after lib.sh:
#   fetch_pinned_nats_server       the pinned nats-server (infra/nats-server.env) into NATS_SERVER_BIN
#   fetch_deb_binaries SUITE PACKAGE DEST VERSION_PATTERN BINARY...   any package's binaries

DEB_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# Where else Debian may serve a nats-server, searched when the pinned suite no longer has the version.
NATS_OTHER_SUITES=("$NATS_SERVER_DEBIAN_SUITE-updates" "$NATS_SERVER_DEBIAN_SUITE-backports"
  forky sid bookworm-backports)

deb_tools_present() {
  command -v apt-get >/dev/null 2>&1 && command -v apt-cache >/dev/null 2>&1 &&
    command -v dpkg-deb >/dev/null 2>&1 && [[ -f "$DEB_KEYRING" ]]
}

# deb_state DIR SUITE...: a private apt state in DIR reading those suites of deb.debian.org; sets
# DEB_APT_OPTS (for apt-get and apt-cache) and downloads the package lists.
deb_state() {
  local work="$1" suite
  shift
  mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/cache" "$work/x"
  : >"$work/sources.list"
  for suite in "$@"; do
    echo "deb [signed-by=$DEB_KEYRING] http://deb.debian.org/debian $suite main" >>"$work/sources.list"
  done
  DEB_APT_OPTS=(-qq -o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=-
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "Dir::Cache::archives=$work/archives"
    -o Dir::State::status=/dev/null)
  # As root apt downloads as the _apt user, who may not write to the private directory.
  if is_root; then DEB_APT_OPTS+=(-o APT::Sandbox::User=root); fi
  apt-get "${DEB_APT_OPTS[@]}" update
}

# deb_extract DIR PACKAGE[=VERSION] DEST BINARY...: downloads the package into DIR, unpacks it and puts
# its /usr/{s,}bin/BINARY files in DEST.
deb_extract() {
  local work="$1" spec="$2" dest="$3" bin
  shift 3
  (cd "$work" && apt-get "${DEB_APT_OPTS[@]}" download "$spec") || return 1
  dpkg-deb -x "$work"/"${spec%%=*}"_*.deb "$work/x" || return 1
  for bin in "$@"; do
    install -D -m 0755 "$(ls "$work/x/usr/sbin/$bin" "$work/x/usr/bin/$bin" 2>/dev/null | head -n 1)" \
      "$dest/$bin" || return 1
  done
}

# fetch_deb_binaries SUITE PACKAGE DEST VERSION_PATTERN BINARY...: the package's /usr/{s,}bin/BINARY
# files into DEST, unless DEST's first binary already prints a version matching VERSION_PATTERN.
fetch_deb_binaries() {
  local suite="$1" package="$2" dest="$3" pattern="$4"
  shift 4
  local first="$dest/$1"
  if [[ -x "$first" ]] && "$first" --version 2>&1 | grep -qE "$pattern"; then
    ok "$package for the tests: $("$first" --version 2>&1 | head -n 1)"
    return 0
  fi
  if ! deb_tools_present; then
    warn "cannot fetch $package (needs apt-get, dpkg-deb and $DEB_KEYRING): put $* in $dest for the tests that use them"
    return 0
  fi
  local work
  work="$(mktemp -d)"
  log "fetching $package ($suite's package, not installed) into ${dest#"$ROOT/"}/"
  if deb_state "$work" "$suite" && deb_extract "$work" "$package" "$dest" "$@"; then
    ok "$package for the tests: $("$first" --version 2>&1 | head -n 1)"
  else
    warn "could not fetch $package from deb.debian.org ($suite); the tests that need it will say so"
  fi
  rm -rf "$work"
}

# Debian's versions of nats-server in the suites of the state made last, one per line, newest first.
deb_nats_versions() {
  apt-cache "${DEB_APT_OPTS[@]}" madison nats-server 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
    sort -u -V -r
}

# A Debian version's upstream part: 2.10.27-1+b2 -> 2.10.27 (epoch, revision and +ds/+dfsg dropped).
deb_upstream() {
  local v="${1#*:}"
  v="${v%-*}"
  echo "${v%%+*}"
}

# Of Debian's versions (stdin), the one that is the pinned version, else the closest stand-in: the
# newest of the same minor series, else the oldest newer one, else the newest still supported (not
# older than NATS_SERVER_MIN_VERSION). Prints "exact VERSION" or "other VERSION" (nothing: none fits).
choose_nats_version() {
  local versions v up minor="${NATS_SERVER_VERSION%.*}" same='' newer='' supported=''
  mapfile -t versions
  for v in "${versions[@]}"; do
    up="$(deb_upstream "$v")"
    if [[ "$up" == "$NATS_SERVER_VERSION" ]]; then
      echo "exact $v"
      return 0
    fi
    [[ -z "$same" && "$up" == "$minor".* ]] && same="$v"
    version_lt "$up" "$NATS_SERVER_VERSION" || newer="$v"
    [[ -z "$supported" ]] && ! version_lt "$up" "$NATS_SERVER_MIN_VERSION" && supported="$v"
  done
  v="${same:-${newer:-$supported}}"
  [[ -z "$v" ]] || echo "other $v"
}

# The pinned nats-server (infra/nats-server.env) into NATS_SERVER_BIN: Debian's package of exactly that
# version, from its suite or, when that has moved on, any other that still has it. When none has it,
# the closest version Debian serves, with a warning saying so (the stack then runs another version than
# compose and the chart, and infra/test/nats-version.spec.ts fails until the pin is moved).
fetch_pinned_nats_server() {
  local have
  have="$(nats_binary_version "$NATS_SERVER_BIN")"
  if [[ "$have" == "$NATS_SERVER_VERSION" ]]; then
    ok "nats-server $have (the pinned version, infra/nats-server.env): ${NATS_SERVER_BIN#"$ROOT/"}"
    return 0
  fi
  if ! deb_tools_present; then
    warn "cannot fetch nats-server $NATS_SERVER_VERSION (needs apt-get, dpkg-deb and $DEB_KEYRING): put that version's binary at $NATS_SERVER_BIN"
    return 0
  fi
  local work choice kind version
  work="$(mktemp -d)"
  log "fetching nats-server $NATS_SERVER_VERSION (Debian's package, not installed) into ${NATS_SERVER_BIN#"$ROOT/"}"
  deb_state "$work" "$NATS_SERVER_DEBIAN_SUITE" || true
  choice="$(deb_nats_versions | choose_nats_version)"
  if [[ "$choice" != exact* ]]; then
    log "Debian's $NATS_SERVER_DEBIAN_SUITE no longer has nats-server $NATS_SERVER_VERSION: looking in ${NATS_OTHER_SUITES[*]}"
    deb_state "$work" "$NATS_SERVER_DEBIAN_SUITE" "${NATS_OTHER_SUITES[@]}" || true
    choice="$(deb_nats_versions | choose_nats_version)"
  fi
  read -r kind version <<<"$choice"
  if [[ -z "$version" ]]; then
    warn "deb.debian.org serves no nats-server now: the stack's NATS falls back to $(machine_nats_server || echo 'none found')"
  elif deb_extract "$work" "nats-server=$version" "$(dirname "$NATS_SERVER_BIN")" nats-server; then
    have="$(nats_binary_version "$NATS_SERVER_BIN")"
    if [[ "$kind" == exact ]]; then
      ok "nats-server $have (the pinned version, Debian's $version): ${NATS_SERVER_BIN#"$ROOT/"}"
    else
      warn "Debian no longer serves nats-server $NATS_SERVER_VERSION (the pinned version, infra/nats-server.env): fetched $have (Debian's $version) instead. The stack and the tests now run $have while docker-compose.yml and the chart run $NATS_SERVER_VERSION; move the pin (infra/nats-server.env and the two image tags) to $have."
    fi
  else
    warn "could not fetch nats-server $version from deb.debian.org; the stack's NATS falls back to $(machine_nats_server || echo 'none found')"
  fi
  rm -rf "$work"
}
