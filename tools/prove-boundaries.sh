#!/usr/bin/env bash
# Proves the lint rules that guard the architecture really bite: each probe file below must fail
# `nx lint` with the named rule. Probes are written next to real code, linted, and always removed.
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false
probes=()
cleanup() { rm -f "${probes[@]}"; }
trap cleanup EXIT

expect_lint_error() { # <project> <file> <pattern> <description>
  local project=$1 file=$2 pattern=$3 what=$4 out rc
  out=$(npx nx lint "$project" --skip-nx-cache --outputStyle=static 2>&1); rc=$?
  rm -f "$file"
  if [ $rc -ne 0 ] && grep -qE "$pattern" <<<"$out"; then
    echo "ok: $what"
  else
    echo "FAIL: $what (lint exit $rc)"; grep -E "error|warning" <<<"$out" | head -5; exit 1
  fi
}

f=libs/contracts/src/__probe_nest.ts; probes+=("$f")
printf "import { Injectable } from '@nestjs/common';\nexport const probe = Injectable;\n" > "$f"
expect_lint_error contracts "$f" "enforce-module-boundaries" "contracts may not import Nest"

f=libs/contracts/src/__probe_prisma.ts; probes+=("$f")
printf "import { PrismaClient } from '@prisma/client';\nexport const probe = PrismaClient;\n" > "$f"
expect_lint_error contracts "$f" "enforce-module-boundaries" "contracts may not import Prisma"

f=libs/contracts/src/__probe_nats.ts; probes+=("$f")
printf "import { connect } from '@nats-io/transport-node';\nexport const probe = connect;\n" > "$f"
expect_lint_error contracts "$f" "enforce-module-boundaries" "contracts may not import the NATS client"

f=libs/contracts/src/__probe_lib.ts; probes+=("$f")
printf "import { NatsBus } from '@switchboard/messaging';\nexport const probe = NatsBus;\n" > "$f"
expect_lint_error contracts "$f" "enforce-module-boundaries" "contracts may not import the messaging lib"

f=libs/messaging/src/__probe_testing.ts; probes+=("$f")
printf "import { waitFor } from '@switchboard/testing';\nexport const probe = waitFor;\n" > "$f"
expect_lint_error messaging "$f" "enforce-module-boundaries|testing lib is for tests" "infra libs may not import the testing lib"

f=apps/console/src/__probe_server.ts; probes+=("$f")
printf "import { NatsBus } from '@switchboard/messaging';\nexport const probe = NatsBus;\n" > "$f"
expect_lint_error console "$f" "enforce-module-boundaries" "the web console may not import server code"

f=apps/mcp-tools/src/__probe_subject.ts; probes+=("$f")
printf "export const probe = 'sb.cmd.tools.call';\n" > "$f"
expect_lint_error mcp-tools "$f" "no-restricted-syntax" "services may not type a subject string"

f=apps/mcp-tools/src/__probe_subject_template.ts; probes+=("$f")
printf "const id = 'x';\nexport const probe = \`sb.evt.task.\${id}.x\`;\n" > "$f"
expect_lint_error mcp-tools "$f" "no-restricted-syntax" "services may not build a subject from a template"

f=apps/mcp-tools/src/__probe_env.ts; probes+=("$f")
printf "export const probe = process.env['X'];\n" > "$f"
expect_lint_error mcp-tools "$f" "no-restricted-properties" "services read config only through their validated config"
f=apps/gateway/src/__probe_nats_client.ts; probes+=("$f")
printf "import type { NatsConnection } from '@nats-io/transport-node';\nexport type Probe = NatsConnection;\n" > "$f"
expect_lint_error gateway "$f" "no-restricted-imports" "services may not import the NATS client (only the messaging library)"
f=apps/mcp-tools/src/__probe_long_function.ts; probes+=("$f")
{ echo 'export function probe(): number {'; echo '  let n = 0;'; for _ in $(seq 1 85); do echo '  n += 1;'; done; echo '  return n;'; echo '}'; } > "$f"
expect_lint_error mcp-tools "$f" "max-lines-per-function" "a function may not exceed 80 lines (exceptions are marked where they stand)"
echo "module boundaries and architecture rules: all probes rejected"
