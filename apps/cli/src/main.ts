#!/usr/bin/env node
// switchboard: the operator CLI of the platform (docs/operations.md, "Watching agents work: the
// switchboard CLI").
//   switchboard tail [--task <taskId>] [--user <userId>] [--service <name>] [--replies] [--json]
//   switchboard call <subject> '<json request>' [--as <userId>] [--role <role>] [--timeout <ms>]
//   switchboard audit verify [--json]
//   switchboard schedules due [--within <minutes>] [--limit <n>] [--json]
//   switchboard memory forget-user <userId> --tenant <tenantId> | forget-tenant <tenantId> [--json]
//   switchboard memory forget-namespace <kind> <key> --tenant <tenantId> [--json]
//   switchboard eval run --dataset <name> --agent <name> --version <n|label> [--baseline <n|label>]
// Each connects to NATS as the services do (NATS_* settings or the flags --nats, --nats-user, --creds,
// --nkey, --tls-ca, --tls-cert, --tls-key); with none, the local stack's NATS (`npm run up`). Built to
// dist/apps/cli/src/main.js (on PATH as `switchboard` in every image; in a checkout `npx switchboard`
// starts it through apps/cli/bin/switchboard.js, on the project's own Node); `npm run tail` runs the
// same code from source.
// Exit status: 0 done, 1 the command failed (refused, no reply, a broken audit chain), 2 a usage or
// connection-settings mistake.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, parseCommandLine, UsageError, USAGE } from './args.js';
import { checkedRequest, resolveCommand } from './command-lookup.js';
import { workspaceRoot } from './nats/operator-connection.js';

const stdout = (text: string) => process.stdout.write(`${text}\n`);
const stderr = (text: string) => process.stderr.write(`${text}\n`);

/** `switchboard 0.1.0 (Node v24.11.1)`: the release, and the Node it runs on (see bin/switchboard.js). */
function version(): string {
  const root = workspaceRoot();
  const release = root
    ? ((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string })
        .version ?? 'unknown')
    : 'unknown';
  return `switchboard ${release} (Node ${process.version})`;
}

async function main(): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseCommandLine(process.argv.slice(2));
    // An unknown subject or a request its schema refuses is said before anything connects.
    if (cmd.name === 'call') checkedRequest(resolveCommand(cmd.subject), cmd.subject, cmd.request);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    stderr(e.message);
    stderr(
      e.command
        ? `(switchboard ${e.command} --help shows its options)`
        : '(switchboard --help lists the commands)',
    );
    return 2;
  }
  switch (cmd.name) {
    case 'help':
      stdout(USAGE[cmd.topic ?? 'switchboard']);
      return 0;
    case 'version':
      stdout(version());
      return 0;
    case 'tail':
      return (await import('./run.js')).runTail(cmd, process.env);
    case 'call':
    case 'audit verify':
    case 'schedules due':
    case 'memory forget-user':
    case 'memory forget-namespace':
    case 'memory forget-tenant':
    case 'eval run':
      return (await import('./run.js')).runCommand(cmd, process.env);
  }
}

const status = await main();
// What was written to a pipe (`| jq`) is handed over before the process exits.
await new Promise((resolve) => process.stdout.write('', resolve));
await new Promise((resolve) => process.stderr.write('', resolve));
process.exit(status);
