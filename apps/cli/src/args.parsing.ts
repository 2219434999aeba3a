// The pieces every subcommand's parser shares: parseArgs with UsageErrors, the acting user, the
// timeout, whole-number flags, the NATS connection flags and the flags of an answer to print.
import { type Actor, Role, UserId } from '@switchboard/contracts';
import { parseArgs } from 'node:util';
import { type CommandName, DEFAULT_ACTOR } from './cli.commands.js';
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

export const connectionOptions = Object.fromEntries(
  Object.keys(CONNECTION_FLAGS).map((flag) => [flag, { type: 'string' as const }]),
) as Record<keyof typeof CONNECTION_FLAGS, { type: 'string' }>;

const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const;
export const ACTOR = { as: { type: 'string' }, role: { type: 'string' } } as const;
export const TIMEOUT = { timeout: { type: 'string' } } as const;
/** The flags of a subcommand that asks and prints the answer: `--json`, `--timeout`, the connection's. */
export const ANSWER = {
  json: { type: 'boolean', default: false },
  ...TIMEOUT,
  ...connectionOptions,
} as const;

/** What the ANSWER flags said. */
export interface AnswerFlags {
  json: boolean;
  timeoutMs?: number;
  connection: ConnectionFlags;
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** parseArgs, its own errors turned into UsageErrors for `command`. */
export function parse<O extends Options>(
  command: CommandName,
  args: readonly string[],
  options: O,
) {
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

export function connectionOf(values: Record<string, unknown>): ConnectionFlags {
  const out: ConnectionFlags = {};
  for (const flag of Object.keys(CONNECTION_FLAGS) as (keyof typeof CONNECTION_FLAGS)[]) {
    const value = values[flag];
    if (typeof value === 'string') out[flag] = value;
  }
  return out;
}

export function noPositionals(command: CommandName, positionals: string[]): void {
  if (positionals.length)
    throw new UsageError(
      `switchboard ${command}: unexpected argument${positionals.length > 1 ? 's' : ''} ${positionals.map((p) => `"${p}"`).join(' ')}`,
      command,
    );
}

export function actorOf(command: CommandName, values: { as?: unknown; role?: unknown }): Actor {
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

export function timeoutOf(command: CommandName, value: unknown): { timeoutMs?: number } {
  if (value === undefined) return {};
  const ms = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || ms < 1 || ms > 3_600_000)
    throw new UsageError(
      `switchboard ${command}: --timeout must be milliseconds (1 to 3600000), got "${String(value)}"`,
      command,
    );
  return { timeoutMs: ms };
}

/** A whole number from `min` to `max` given as `--<flag>`, or `fallback` when absent. */
export function intFlag(
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

/** The ANSWER flags' values, checked for `command`. */
export function answerOf(
  command: CommandName,
  values: { json?: unknown; timeout?: unknown } & Record<string, unknown>,
): AnswerFlags {
  return {
    json: values.json === true,
    ...timeoutOf(command, values.timeout),
    connection: connectionOf(values),
  };
}

/**
 * The UsageError of `switchboard <group>` followed by no subcommand it knows: what to say (`example`)
 * when none is given, else which subcommands there are.
 */
export function subcommandError(
  group: string,
  sub: string | undefined,
  example: string,
  known: readonly string[],
): UsageError {
  return new UsageError(
    sub === undefined || sub.startsWith('-')
      ? `switchboard ${group}: say what to do: ${example}`
      : `switchboard ${group}: unknown subcommand "${sub}" (there ${known.length > 1 ? 'are' : 'is'}: ${known.join(', ')})`,
  );
}
