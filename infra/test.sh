#!/usr/bin/env bash
# `npm test` (and CI's .ci/run): setup without the stack, then every test tier through Nx.
#   1. infra/setup.sh: packages (nats-server, prosody, ... installed, not started), node_modules, Prisma;
#      PostgreSQL and Redis started when they do not answer, and stopped again at the end (the tests
#      create their own databases/keys; NATS and Prosody are started privately by the tests that need them);
#   2. formatting (Prettier); lint, typecheck, build, unit tests; the lint rules shown to reject
#      violations; generated docs (subjects, AsyncAPI, configuration, .env.example) current;
#   3. integration tests (test-int);  4. end-to-end tests (e2e);  5. the chaos suite's quick subset
#      (`npm run chaos -- --quick`: faults injected one at a time into a private stack under load);
#   6. the chaos suite on a cluster (`npm run chaos -- --cluster`: three NATS nodes, two replicas of
#      each service but the xmpp-bridge; a NATS node and one replica of each service killed in turn);
#   7. the chaos suite on a cell (`npm run chaos -- --cell`: every service in one process, as `npm run up`
#      runs them; the cell killed and stopped while it works, NATS and Redis down, bad input).
# Every stage runs; the exit code is non-zero when any failed. The last line sums jest's test counts.
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

run_started=$SECONDS
# Same as `setup.sh --no-start` followed by starting PostgreSQL and Redis where absent. What this run
# starts, it stops again when it ends (SB_KEEP_INFRA=1 keeps them, e.g. for repeated runs); daemons
# that were already running (the machine's own, or `npm run up`'s) are left alone.
before="$(recorded_daemons)"
SB_SKIP_DAEMONS="nats ${SB_SKIP_DAEMONS:-}" bash infra/setup.sh
started_here=()
for name in $(recorded_daemons); do
  grep -qx "$name" <<<"$before" || started_here+=("$name")
done
stop_started_here() {
  if ((${#started_here[@]})) && [[ "${SB_KEEP_INFRA:-0}" != 1 ]]; then
    log "stopping what this test run started: ${started_here[*]}"
    for name in "${started_here[@]}"; do stop_recorded_daemon "$name"; done
  fi
}
trap stop_started_here EXIT

OUT="$RUN_DIR/test-output.log"
mkdir -p "$RUN_DIR"
# Where the time goes (docs/development.md, "The time budget"): each stage's wall time, and each test
# file's and chaos fault's (the jest reporter and the chaos suite append to SB_TEST_TIMINGS).
STAGES="$RUN_DIR/test-stages.tsv"
export SB_TEST_TIMINGS="$RUN_DIR/test-files.jsonl"
printf 'setup\t%s\tpassed\n' "$((SECONDS - run_started))" >"$STAGES"
: >"$SB_TEST_TIMINGS"
# What the tests keep in temporary directories (private NATS stores, Redis, Prosody, service logs, the
# browser's profile) goes under one directory per checkout, emptied when its next run starts: a failed
# run's logs stay readable, and runs on one machine do not pile up in /tmp. It stays outside the
# checkout (some tests need a directory that is in no workspace).
export TMPDIR="${TMPDIR:-/tmp}/sb-test-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
rm -rf "$TMPDIR"
mkdir -p "$TMPDIR"
: >"$OUT"
failed_stages=()

# A stage's verdict: the line, the list of failed stages, its row in $STAGES.
record_stage() { # <name> <exit code> <seconds> [<what else to say of the time>]
  local name="$1" rc="$2" seconds="$3" also="${4:-}"
  if ((rc == 0)); then
    ok "$name passed (${seconds}s${also})"
  else
    warn "$name failed with exit code $rc (${seconds}s)"
    failed_stages+=("$name")
  fi
  printf '%s\t%s\t%s\n' "$name" "$seconds" "$([[ $rc == 0 ]] && echo passed || echo failed)" >>"$STAGES"
}

stage() {
  local name="$1"
  shift
  log "$name: $*"
  local started=$SECONDS rc=0
  "$@" 2>&1 | tee -a "$OUT" || rc=$?
  record_stage "$name" "$rc" "$((SECONDS - started))"
}

# Stages that share nothing run at once, each with its own output, appended to the log in order when
# all have ended: three single-threaded checks on a machine with two cores or more. (The probes that
# tools/prove-boundaries.sh writes for a moment are in .prettierignore; no generator reads them.)
stages_together() { # "<name>|<command>" ...
  local pids=() names=() outs=() started=$SECONDS i
  for spec in "$@"; do
    names+=("${spec%%|*}")
    outs+=("$(mktemp)")
    log "${spec%%|*}: ${spec#*|}"
    (
      local t=$SECONDS rc=0
      bash -c "${spec#*|}" >"${outs[-1]}" 2>&1 || rc=$?
      echo "$rc $((SECONDS - t))" >"${outs[-1]}.rc"
    ) &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  for i in "${!names[@]}"; do
    local rc seconds
    read -r rc seconds <"${outs[i]}.rc"
    tee -a "$OUT" <"${outs[i]}"
    record_stage "${names[i]}" "$rc" "$seconds" ", beside the others of its group: $((SECONDS - started))s"
    rm -f "${outs[i]}" "${outs[i]}.rc"
  done
}

stages_together "formatting|npx prettier --check --log-level warn ." \
  "architecture rules bite|bash tools/prove-boundaries.sh" \
  "generated docs current|npm run -s docs:check"
stage "lint+typecheck+build+test" npx nx run-many -t lint typecheck build test --outputStyle=static
# Two at a time: each project's specs run in one jest process, each with private NATS servers,
# databases, key prefixes and ports (docs/development.md, "The time budget"); SB_INT_PARALLEL=1 runs one.
stage "test-int" npx nx run-many -t test-int --parallel="${SB_INT_PARALLEL:-2}" --outputStyle=static
# jest runs the end-to-end files in SB_E2E_WORKERS workers (2; nx.json), each file on stacks of its own.
stage "e2e" npx nx run-many -t e2e --parallel=1 --outputStyle=static
# Its own stage, not a jest project: one stack for all its faults, a line per fault and its own summary.
stage "chaos (quick)" npm run -s chaos -- --quick
stage "chaos (cluster)" npm run -s chaos -- --cluster
stage "chaos (cell)" npm run -s chaos -- --cell

# jest prints "Tests:       1 failed, 2 skipped, 11 passed, 14 total" per project run; the chaos suite
# ends with "9 passed, 1 failed" (one per fault).
read -r passed failed < <(
  sed 's/\x1b\[[0-9;]*m//g' "$OUT" | awk '
    /^Tests:/ { for (i = 2; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
    /^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
    END { print p + 0, f + 0 }'
)
echo
# Elapsed time, stage totals and the 20 slowest files; a warning (not a failure) past the budget.
node tools/test-timings/report.mjs "$STAGES" "$SB_TEST_TIMINGS" "$((SECONDS - run_started))" | tee -a "$OUT"
echo
if ((${#failed_stages[@]})); then
  # What failed, where a CI log's tail shows it: jest's failing files and test names, failed faults.
  sed 's/\x1b\[[0-9;]*m//g' "$OUT" | grep -E '^ *(FAIL |✕ |● .* › )|  FAIL$' | sort -u | head -n 40 >&2 || true
  # ... and why: each failing test's message, up to its first stack frame (at most 15 lines each).
  sed 's/\x1b\[[0-9;]*m//g' "$OUT" | awk '
    /^ *● .* › / { n = 15; print; next }
    n > 0 && /^ +at / { n = 0 }
    n > 0 && NF { print; n-- }' | head -n 120 >&2 || true
  warn "failed stages: ${failed_stages[*]} (full output: $OUT)"
  echo "tests: $passed passed, $failed failed"
  exit 1
fi
ok "all stages passed"
echo "tests: $passed passed, $failed failed"
