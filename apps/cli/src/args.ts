// The command line of `switchboard`: subcommands, their flags and the NATS connection flags, parsed with
// node:util's parseArgs and checked before anything connects. Every mistake is a UsageError saying what
// is wrong and what is expected.
import {
  type Actor,
  PLATFORM_ADMIN_ROLE,
  Role,
  SERVICE_NAMES,
  type ServiceName,
  Tasks,
  TenantId,
  UserId,
} from '@switchboard/contracts';
import { parseArgs } from 'node:util';
import { CONNECTION_FLAGS, type ConnectionFlags } from './nats/operator-connection.js';

/** A command line the CLI cannot run (exit status 2), with what is wrong. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The subcommand whose usage to show with it. */
    readonly command?: CommandName,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export type CommandName = 'tail' | 'call' | 'audit verify' | 'schedules due';

export interface TailCommand {
  name: 'tail';
  task?: string;
  user?: string;
  service?: ServiceName;
  /** One tenant's task events and audit records, as that tenant's operator (docs/tenancy.md). */
  tenant?: string;
  replies: boolean;
  json: boolean;
  /** `--color` (true) or `--no-color` (false), the last one given; absent: decided by the terminal. */
  colour?: boolean;
  connection: ConnectionFlags;
}

export interface CallCommand {
  name: 'call';
  subject: string;
  /** The request as given (JSON), checked against the command's schema before it is sent. */
  request: unknown;
  actor: Actor;
  timeoutMs?: number;
  connection: ConnectionFlags;
}

export interface AuditVerifyCommand {
  name: 'audit verify';
  actor: Actor;
  json: boolean;
  timeoutMs?: number;
  connection: ConnectionFlags;
}

export interface SchedulesDueCommand {
  name: 'schedules due';
  actor: Actor;
  /** Upcoming firings due within this many milliseconds (overdue ones always). */
  withinMs: number;
  limit: number;
  json: boolean;
  timeoutMs?: number;
  connection: ConnectionFlags;
}

export type Command =
  | { name: 'help'; topic?: CommandName }
  | { name: 'version' }
  | TailCommand
  | CallCommand
  | AuditVerifyCommand
  | SchedulesDueCommand;

/** The acting user the CLI states on what it sends, unless told otherwise (`--as`, `--role`). */
export const DEFAULT_ACTOR: Actor = { userId: 'switchboard-cli', role: 'admin' };

const connectionOptions = Object.fromEntries(
  Object.keys(CONNECTION_FLAGS).map((flag) => [flag, { type: 'string' as const }]),
) as Record<keyof typeof CONNECTION_FLAGS, { type: 'string' }>;

const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const;
const ACTOR = { as: { type: 'string' }, role: { type: 'string' } } as const;
const TIMEOUT = { timeout: { type: 'string' } } as const;

const CONNECTION_USAGE = [
  'NATS connection (the services’ NATS_* settings, which these flags override):',
  ...Object.entries(CONNECTION_FLAGS).map(
    ([flag, spec]) => `  --${flag.padEnd(9)} <value>  ${spec.help} (${spec.env})`,
  ),
  '  the password of --nats-user only from NATS_PASSWORD, never on the command line.',
  'With none of them: the local stack of `npm run up`, as its operator (tail) or admin (call, audit).',
];

export const USAGE: Record<CommandName | 'switchboard', string> = {
  switchboard: [
    'usage: switchboard <command> [options]',
    '',
    'commands:',
    '  tail           watch the platform’s NATS traffic, or one task’s (--task)',
    '  call           send one command of the contracts (e.g. sb.health.audit) and print its reply',
    '  audit verify   recompute the audit trail’s hash chain',
    '  schedules due  the schedules’ due and upcoming firings, every tenant’s',
    '',
    '`switchboard <command> --help` for its options, `switchboard --version` for the release;',
    'docs/operations.md, "Watching agents work: the switchboard CLI".',
  ].join('\n'),
  tail: [
    'usage: switchboard tail [--task <taskId>] [--user <userId>] [--service <name>] [--replies] [--json]',
    '                        [--tenant <tenantId>] [--color | --no-color]',
    '',
    '  --task <taskId>   one task: its stored and live events, its tool calls, audit records and',
    '                    every other message that carries its id',
    '  --user <userId>   messages acting for this user',
    '  --tenant <id>     one tenant: its task events and audit records as they happen, as the',
    '                    tenant operator identity (operator-<id>; docs/tenancy.md)',
    `  --service <name>  sent by or addressed to one service (${SERVICE_NAMES.join(', ')})`,
    '  --replies         also replies and JetStream deliveries (labelled: publish, deliver, reply)',
    '  --json            one JSON object per line (for scripts): time (the event’s own), received,',
    '                    kind, subject, headers, data…; else one compact line per message: time, task,',
    '                    kind, route and what it says',
    '  --color           colour the lines even when not on a terminal; --no-color never (NO_COLOR',
    '                    in the environment too); by default only on a terminal',
    '',
    ...CONNECTION_USAGE,
  ].join('\n'),
  call: [
    "usage: switchboard call <subject> '<json request>' [--as <userId>] [--role <role>] [--timeout <ms>]",
    '',
    '  <subject>         a command subject of docs/subjects.md (sb.cmd.… or sb.health.<service>);',
    '                    one with a placeholder by its template, its prefix or a concrete subject',
    '  <json request>    the request (default {}), checked against the command’s schema',
    `  --as <userId>     the acting user it states (default ${DEFAULT_ACTOR.userId})`,
    `  --role <role>     its role (default ${DEFAULT_ACTOR.role})`,
    '  --timeout <ms>    how long to wait for the reply (default: the command’s)',
    '',
    'Prints the reply as JSON (a streamed reply: one part per line); a refusal or failure as',
    '`CODE: message` on stderr, exit status 1. NATS lets only a command’s callers send it: the',
    '`admin` identity may send the operator commands (health, xmpp status, audit verify and query).',
    '',
    ...CONNECTION_USAGE,
  ].join('\n'),
  'audit verify': [
    'usage: switchboard audit verify [--json] [--as <userId>] [--timeout <ms>]',
    '',
    "Recomputes the whole hash chain of the audit trail, every tenant's (sb.cmd.audit.verify, as the",
    'platform operator, role platform-admin). Exit status 0',
    'when it is intact, 1 when a row does not match (its seq and why) or the command failed.',
    '',
    `  --as <userId>     the acting admin it states (default ${DEFAULT_ACTOR.userId})`,
    '  --json            print the reply as JSON',
    '  --timeout <ms>    how long to wait (default: the command’s, 120 s)',
    '',
    ...CONNECTION_USAGE,
  ].join('\n'),
  'schedules due': [
    'usage: switchboard schedules due [--within <minutes>] [--limit <n>] [--json] [--as <userId>]',
    '',
    "Lists the active schedules' next firings, soonest first: the overdue ones (a ticker takes",
    'them on its next tick; one overdue for long means no orchestrator ticks) and those due within',
    '--within minutes (default 60), every tenant’s (sb.cmd.orchestrator.schedule.due.list, as the',
    'platform operator). docs/schedules.md.',
    '',
    '  --within <min>    how far ahead to look, in minutes (default 60)',
    '  --limit <n>       at most this many (1-1000, default 100)',
    `  --as <userId>     the acting admin it states (default ${DEFAULT_ACTOR.userId})`,
    '  --json            print the reply as JSON',
    '  --timeout <ms>    how long to wait for the reply',
    '',
    ...CONNECTION_USAGE,
  ].join('\n'),
};

/**
 * Parses `argv` (without node and the script). Throws a UsageError for an unknown command or flag, a
 * missing or extra argument, or a value that cannot be right (a task id that is no UUID, an unknown
 * service, a request that is not JSON, a user id or role the platform would refuse).
 */
export function parseCommandLine(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    const topic = first === 'help' ? rest.join(' ') : '';
    if (!topic) return { name: 'help' };
    if (!isCommandName(topic)) throw new UsageError(unknownCommand(topic));
    return { name: 'help', topic };
  }
  if (first === '--version' || first === 'version') return { name: 'version' };
  switch (first) {
    case 'tail':
      return parseTail(rest);
    case 'call':
      return parseCall(rest);
    case 'audit': {
      const [sub, ...more] = rest;
      if (sub === 'verify') return parseAuditVerify(more);
      throw new UsageError(
        sub === undefined || sub.startsWith('-')
          ? 'switchboard audit: say what to do: `switchboard audit verify`'
          : `switchboard audit: unknown subcommand "${sub}" (there is: verify)`,
      );
    }
    case 'schedules': {
      const [sub, ...more] = rest;
      if (sub === 'due') return parseSchedulesDue(more);
      throw new UsageError(
        sub === undefined || sub.startsWith('-')
          ? 'switchboard schedules: say what to do: `switchboard schedules due`'
          : `switchboard schedules: unknown subcommand "${sub}" (there is: due)`,
      );
    }
    default:
      throw new UsageError(unknownCommand(first));
  }
}

function isCommandName(s: string): s is CommandName {
  return s === 'tail' || s === 'call' || s === 'audit verify' || s === 'schedules due';
}

function unknownCommand(name: string): string {
  return `unknown command "${name}": the commands are tail, call, audit verify and schedules due (switchboard --help)`;
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** parseArgs, its own errors turned into UsageErrors for `command`. */
function parse<O extends Options>(command: CommandName, args: readonly string[], options: O) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...options, ...HELP },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (e) {
    // node's messages name the flag: "Unknown option '--tsk'", "Option '--task <value>' argument missing"
    throw new UsageError(`switchboard ${command}: ${(e as Error).message}`, command);
  }
}

function connectionOf(values: Record<string, unknown>): ConnectionFlags {
  const out: ConnectionFlags = {};
  for (const flag of Object.keys(CONNECTION_FLAGS) as (keyof typeof CONNECTION_FLAGS)[]) {
    const value = values[flag];
    if (typeof value === 'string') out[flag] = value;
  }
  return out;
}

function noPositionals(command: CommandName, positionals: string[]): void {
  if (positionals.length)
    throw new UsageError(
      `switchboard ${command}: unexpected argument${positionals.length > 1 ? 's' : ''} ${positionals.map((p) => `"${p}"`).join(' ')}`,
      command,
    );
}

/** `--color` / `--no-color`: the last one on the command line, or undefined. */
function colourFlag(tokens: readonly { kind: string; name?: string }[]): { colour?: boolean } {
  const last = tokens.findLast(
    (t) => t.kind === 'option' && (t.name === 'color' || t.name === 'no-color'),
  );
  return last === undefined ? {} : { colour: last.name === 'color' };
}

/** A tenant operator reads its tenant's task events and audit records, nothing that --task or --replies needs. */
function checkTenant(tenant: string, wantsMore: boolean): void {
  const parsed = TenantId.safeParse(tenant);
  if (!parsed.success)
    throw new UsageError(
      `switchboard tail: --tenant ${parsed.error.issues[0]?.message ?? 'is not a tenant id'}, got "${tenant}"`,
      'tail',
    );
  if (wantsMore)
    throw new UsageError(
      'switchboard tail: --tenant reads only the tenant’s task events and audit records; it takes no --task or --replies',
      'tail',
    );
}

function parseTail(args: readonly string[]): Command {
  const { values, positionals, tokens } = parse('tail', args, {
    task: { type: 'string' },
    user: { type: 'string' },
    service: { type: 'string' },
    tenant: { type: 'string' },
    replies: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    color: { type: 'boolean' },
    'no-color': { type: 'boolean' },
    ...connectionOptions,
  });
  if (values.help) return { name: 'help', topic: 'tail' };
  noPositionals('tail', positionals);
  const { task, user, service, tenant } = values as {
    task?: string;
    user?: string;
    service?: string;
    tenant?: string;
  };
  if (tenant !== undefined) checkTenant(tenant, task !== undefined || values.replies === true);
  if (task !== undefined && !Tasks.TaskId.safeParse(task).success)
    throw new UsageError(
      `switchboard tail: --task must be a task id (a UUID, as X-Task-Id and the task links show it), got "${task}"`,
      'tail',
    );
  if (service !== undefined && !(SERVICE_NAMES as readonly string[]).includes(service))
    throw new UsageError(
      `switchboard tail: --service must be one of ${SERVICE_NAMES.join(', ')}, got "${service}"`,
      'tail',
    );
  return {
    name: 'tail',
    ...(task !== undefined ? { task } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(service !== undefined ? { service: service as ServiceName } : {}),
    ...(tenant !== undefined ? { tenant } : {}),
    replies: values.replies === true,
    json: values.json === true,
    ...colourFlag(tokens),
    connection: connectionOf(values),
  };
}

function actorOf(command: CommandName, values: { as?: unknown; role?: unknown }): Actor {
  const userId = typeof values.as === 'string' ? values.as : DEFAULT_ACTOR.userId;
  const role = typeof values.role === 'string' ? values.role : DEFAULT_ACTOR.role;
  if (!UserId.safeParse(userId).success)
    throw new UsageError(
      `switchboard ${command}: --as must be a user id (1-128 letters, digits and . _ @ : + -), got "${userId}"`,
      command,
    );
  if (!Role.safeParse(role).success)
    throw new UsageError(
      `switchboard ${command}: --role must be a role (1-32 lowercase letters, digits, _ or -), got "${role}"`,
      command,
    );
  return { userId, role };
}

function timeoutOf(command: CommandName, value: unknown): { timeoutMs?: number } {
  if (value === undefined) return {};
  const ms = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || ms < 1 || ms > 3_600_000)
    throw new UsageError(
      `switchboard ${command}: --timeout must be milliseconds (1 to 3600000), got "${String(value)}"`,
      command,
    );
  return { timeoutMs: ms };
}

function parseCall(args: readonly string[]): Command {
  const { values, positionals } = parse('call', args, {
    ...ACTOR,
    ...TIMEOUT,
    ...connectionOptions,
  });
  if (values.help) return { name: 'help', topic: 'call' };
  const [subject, json, ...extra] = positionals;
  if (subject === undefined)
    throw new UsageError(
      "switchboard call: say which command: switchboard call <subject> '<json request>'",
      'call',
    );
  noPositionals('call', extra);
  let request: unknown = {};
  if (json !== undefined) {
    try {
      request = JSON.parse(json);
    } catch (e) {
      throw new UsageError(
        `switchboard call: the request is not JSON (${(e as Error).message}); quote it: switchboard call ${subject} '{"key": "value"}'`,
        'call',
      );
    }
  }
  return {
    name: 'call',
    subject,
    request,
    actor: actorOf('call', values),
    ...timeoutOf('call', values.timeout),
    connection: connectionOf(values),
  };
}

function parseAuditVerify(args: readonly string[]): Command {
  const { values, positionals } = parse('audit verify', args, {
    as: ACTOR.as,
    json: { type: 'boolean', default: false },
    ...TIMEOUT,
    ...connectionOptions,
  });
  if (values.help) return { name: 'help', topic: 'audit verify' };
  noPositionals('audit verify', positionals);
  return {
    name: 'audit verify',
    // as the platform operator: the whole chain, every tenant's (an admin's is its tenant's slice)
    actor: actorOf('audit verify', { as: values.as, role: PLATFORM_ADMIN_ROLE }),
    json: values.json === true,
    ...timeoutOf('audit verify', values.timeout),
    connection: connectionOf(values),
  };
}

/** A whole number from `min` to `max` given as `--<flag>`, or `fallback` when absent. */
function intFlag(
  command: CommandName,
  flag: string,
  value: unknown,
  range: { min: number; max: number; fallback: number },
): number {
  if (value === undefined) return range.fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < range.min || n > range.max)
    throw new UsageError(
      `switchboard ${command}: --${flag} must be a whole number from ${range.min} to ${range.max}, got "${String(value)}"`,
      command,
    );
  return n;
}

function parseSchedulesDue(args: readonly string[]): Command {
  const { values, positionals } = parse('schedules due', args, {
    as: ACTOR.as,
    within: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean', default: false },
    ...TIMEOUT,
    ...connectionOptions,
  });
  if (values.help) return { name: 'help', topic: 'schedules due' };
  noPositionals('schedules due', positionals);
  const minutes = intFlag('schedules due', 'within', values.within, {
    min: 0,
    max: 527_040,
    fallback: 60,
  });
  return {
    name: 'schedules due',
    // as the platform operator: every tenant's schedules
    actor: actorOf('schedules due', { as: values.as, role: PLATFORM_ADMIN_ROLE }),
    withinMs: minutes * 60_000,
    limit: intFlag('schedules due', 'limit', values.limit, { min: 1, max: 1000, fallback: 100 }),
    json: values.json === true,
    ...timeoutOf('schedules due', values.timeout),
    connection: connectionOf(values),
  };
}
