#!/usr/bin/env bash
# Proves the lint rules that guard the architecture really bite: each probe file below must fail lint
# with the named rule, and each control probe (expect_no_lint_error: what main does) must pass it.
# Probes are written next to real code, linted together in one ESLint run (the configuration `nx lint`
# applies to each project: eslint.config.js), and always removed.
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false
# @nx/enforce-module-boundaries reads Nx's cached project graph and skips itself (with a warning)
# where there is none yet, as in a fresh clone: compute it first.
npx nx show projects >/dev/null
probes=()
expected=() # "<file>\t<rule pattern>\t<description>", checked once every probe is written
cleanup() { rm -f "${probes[@]}"; }
trap cleanup EXIT

expect_lint_error() { # <project> <file> <pattern> <description>
  local file=$2 pattern=$3 what=$4
  expected+=("$file"$'\t'"$pattern"$'\t'"$what")
}
expect_no_lint_error() { # <file> <rule pattern> <description>: the file must have no such error
  expected+=("$1"$'\t'"!$2"$'\t'"$3")
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
f=apps/orchestrator/src/tasks/run-task/__probe_feature.ts; probes+=("$f")
printf "import { ApprovalRepository } from '../../approvals/approval.repository.js';\nexport const probe = ApprovalRepository;\n" > "$f"
expect_lint_error orchestrator "$f" "no-restricted-imports: .*core imports no feature" "the orchestrator's core may not import a feature (features plug into its ports)"
f=apps/orchestrator/src/dispatch/__probe_feature_type.ts; probes+=("$f")
printf "import type { TaskSlots } from '../quotas/task-slots.js';\nexport type Probe = TaskSlots;\n" > "$f"
expect_lint_error orchestrator "$f" "no-restricted-imports: .*core imports no feature" "the orchestrator's core may not import a feature's type either"
f=apps/orchestrator/src/tasks/run-task/__probe_agent_versions.ts; probes+=("$f")
printf "import { AgentVersionResolver } from '../../agent-versions/resolve-agent-version/agent-version.resolver.js';\nexport const probe = AgentVersionResolver;\n" > "$f"
expect_lint_error orchestrator "$f" "no-restricted-imports: .*core imports no feature" "the orchestrator's core may not import the agent versions (they plug into AGENT_VERSIONS)"
f=apps/orchestrator/src/replay/__probe_core_inside.ts; probes+=("$f")
printf "import { TaskRepository } from '../tasks/task.repository.js';\nexport const probe = TaskRepository;\n" > "$f"
expect_lint_error orchestrator "$f" "no-restricted-imports: .*only through its front door" "a feature may not import the orchestrator core's insides (only its front door, tasks/index.ts)"
f=apps/orchestrator/src/threads/wait-for-thread/__probe_core_type.ts; probes+=("$f")
printf "import type { TaskRun } from '../../tasks/run-task/task-run.js';\nexport type Probe = TaskRun;\n" > "$f"
expect_lint_error orchestrator "$f" "no-restricted-imports: .*only through its front door" "a feature may not import a core type from the core's insides either (the mutable TaskRun)"
f=apps/orchestrator/src/replay/__probe_core_inside.spec.ts; probes+=("$f")
printf "import type { TaskRepository } from '../tasks/task.repository.js';\nexport type Probe = TaskRepository;\n" > "$f"
expect_lint_error orchestrator "$f" "no-restricted-imports: .*only through its front door" "a feature's spec uses the core through its front door too (but for the few listed in eslint.config.js)"
f=apps/orchestrator/src/__probe_root_planner.ts; probes+=("$f")
printf "import type { Planner } from './planning/planner.js';\nexport type Probe = Planner;\n" > "$f"
expect_lint_error orchestrator "$f" "no-restricted-imports: .*only through its front door" "the app's composition root uses the planners only through planning/index.ts"
f=libs/client/src/__probe_contract_value.ts; probes+=("$f")
printf "import { Tasks } from '@switchboard/contracts';\nexport const probe = Tasks.TaskStatus;\n" > "$f"
expect_lint_error client "$f" "no-restricted-imports: .*contracts' types only" "the published client may import the contracts' types, never their values"
f=libs/client/src/__probe_node.ts; probes+=("$f")
printf "import { Buffer } from 'node:buffer';\nexport const probe = Buffer;\n" > "$f"
expect_lint_error client "$f" "no-restricted-imports: .*runs in browsers" "the published client may not import a Node module"
f=libs/client/src/__probe_server.ts; probes+=("$f")
printf "import { NatsBus } from '@switchboard/messaging';\nexport const probe = NatsBus;\n" > "$f"
expect_lint_error client "$f" "enforce-module-boundaries" "the published client may not import server code"
# And what main does passes: a feature importing the core through its front door has no such error.
f=apps/orchestrator/src/approvals/__probe_front_door.ts; probes+=("$f")
printf "import { TaskCore } from '../tasks/index.js';\nimport type { Planner } from '../planning/index.js';\nexport const probe = TaskCore;\nexport type Probe = Planner;\n" > "$f"
expect_no_lint_error "$f" "no-restricted-imports" "a feature may import the core's front door (tasks/index.ts, planning/index.ts)"
# One ESLint run over every probe; each must have an error whose "rule: message" matches its pattern.
report="$(mktemp)"
npx eslint --format json --no-warn-ignored "${probes[@]}" >"$report" 2>/dev/null
printf '%s\n' "${expected[@]}" | node -e '
  const { readFileSync } = require("node:fs");
  const { resolve } = require("node:path");
  const results = JSON.parse(readFileSync(process.argv[1], "utf8"));
  const errors = new Map(results.map((r) => [r.filePath, r.messages.filter((m) => m.severity === 2)]));
  let failed = 0;
  for (const line of readFileSync(0, "utf8").split("\n").filter(Boolean)) {
    const [file, pattern, what] = line.split("\t");
    const found = (errors.get(resolve(file)) ?? []).map((m) => `${m.ruleId}: ${m.message}`);
    const passes = pattern.startsWith("!");
    const hit = found.some((m) => new RegExp(passes ? pattern.slice(1) : pattern).test(m));
    if (hit !== passes) console.log(`ok: ${what}`);
    else {
      failed++;
      console.log(`FAIL: ${what} (${file}: ${found.length ? found.slice(0, 3).join("; ") : "no error"})`);
    }
  }
  process.exit(failed ? 1 : 0);
' "$report" || { rm -f "$report"; exit 1; }
rm -f "$report"
echo "module boundaries and architecture rules: all probes rejected"
