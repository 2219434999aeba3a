// The command line of `switchboard`: subcommands, their flags and the NATS connection flags, parsed with
// node:util's parseArgs and checked before anything connects. Every mistake is a UsageError saying what
// is wrong and what is expected.
import {
  type Actor,
  PLATFORM_ADMIN_ROLE,
  SERVICE_NAMES,
  type ServiceName,
  Tasks,
  TenantId,
} from '@switchboard/contracts';
import {
  ACTOR,
  actorOf,
  ANSWER,
  type AnswerFlags,
  answerOf,
  connectionOf,
  connectionOptions,
  intFlag,
  noPositionals,
  parse,
  subcommandError,
  TIMEOUT,
  timeoutOf,
  UsageError,
} from './args.parsing.js';
import type { CommandName } from './cli.commands.js';
import { type EvalRunCommand, parseEval } from './eval-args.js';
import { type MemoryForgetCommand, parseMemory } from './memory-args.js';
import type { ConnectionFlags } from './nats/operator-connection.js';

export type { MemoryForgetCommand } from './memory-args.js';
export type { EvalRunCommand } from './eval-args.js';

export { UsageError } from './args.parsing.js';
export { USAGE } from './cli.usage.js';
export { type CommandName, DEFAULT_ACTOR } from './cli.commands.js';

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

export interface AuditVerifyCommand extends AnswerFlags {
  name: 'audit verify';
  actor: Actor;
}

export interface SchedulesDueCommand extends AnswerFlags {
  name: 'schedules due';
  actor: Actor;
  /** Upcoming firings due within this many milliseconds (overdue ones always). */
  withinMs: number;
  limit: number;
}

export type Command =
  | { name: 'help'; topic?: CommandName }
  | { name: 'version' }
  | TailCommand
  | CallCommand
  | AuditVerifyCommand
  | SchedulesDueCommand
  | MemoryForgetCommand
  | EvalRunCommand;

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
      throw subcommandError('audit', sub, '`switchboard audit verify`', ['verify']);
    }
    case 'schedules': {
      const [sub, ...more] = rest;
      if (sub === 'due') return parseSchedulesDue(more);
      throw subcommandError('schedules', sub, '`switchboard schedules due`', ['due']);
    }
    case 'memory':
      return parseMemory(rest);
    case 'eval':
      return parseEval(rest);
    default:
      throw new UsageError(unknownCommand(first));
  }
}

function isCommandName(s: string): s is CommandName {
  return (
    s === 'tail' ||
    s === 'call' ||
    s === 'audit verify' ||
    s === 'schedules due' ||
    s === 'memory forget-user' ||
    s === 'memory forget-namespace' ||
    s === 'memory forget-tenant' ||
    s === 'eval run'
  );
}

function unknownCommand(name: string): string {
  return `unknown command "${name}": the commands are tail, call, audit verify, schedules due, memory forget-user, memory forget-namespace, memory forget-tenant and eval run (switchboard --help)`;
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
  const { values, positionals } = parse('audit verify', args, { as: ACTOR.as, ...ANSWER });
  if (values.help) return { name: 'help', topic: 'audit verify' };
  noPositionals('audit verify', positionals);
  return {
    name: 'audit verify',
    // as the platform operator: the whole chain, every tenant's (an admin's is its tenant's slice)
    actor: actorOf('audit verify', { as: values.as, role: PLATFORM_ADMIN_ROLE }),
    ...answerOf('audit verify', values),
  };
}

function parseSchedulesDue(args: readonly string[]): Command {
  const { values, positionals } = parse('schedules due', args, {
    as: ACTOR.as,
    within: { type: 'string' },
    limit: { type: 'string' },
    ...ANSWER,
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
    ...answerOf('schedules due', values),
  };
}
