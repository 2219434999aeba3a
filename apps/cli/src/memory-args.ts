// `switchboard memory forget-user <userId> --tenant <tenantId>` and `switchboard memory forget-tenant
// <tenantId>`: the operator's side of a request to be forgotten (docs/memory.md), parsed like the other
// subcommands. The operator sees counts, never what was remembered.
import { type Actor, PLATFORM_ADMIN_ROLE, TenantId, UserId } from '@switchboard/contracts';
import {
  ACTOR,
  actorOf,
  connectionOf,
  connectionOptions,
  noPositionals,
  parse,
  TIMEOUT,
  timeoutOf,
  UsageError,
} from './args.parsing.js';
import type { ConnectionFlags } from './nats/operator-connection.js';

export type MemoryCommandName = 'memory forget-user' | 'memory forget-tenant';

export interface MemoryForgetCommand {
  name: MemoryCommandName;
  /** The user (forget-user) or the tenant (forget-tenant) to forget. */
  target: string;
  /** The platform operator, acting in the tenant concerned. */
  actor: Actor;
  json: boolean;
  timeoutMs?: number;
  connection: ConnectionFlags;
}

export type MemoryHelp = { name: 'help'; topic: MemoryCommandName };

/** `switchboard memory <sub> …` (`args`: what follows `memory`). */
export function parseMemory(args: readonly string[]): MemoryForgetCommand | MemoryHelp {
  const [sub, ...rest] = args;
  if (sub !== 'forget-user' && sub !== 'forget-tenant')
    throw new UsageError(
      sub === undefined || sub.startsWith('-')
        ? 'switchboard memory: say what to do: `switchboard memory forget-user <userId> --tenant <tenantId>` or `switchboard memory forget-tenant <tenantId>`'
        : `switchboard memory: unknown subcommand "${sub}" (there are: forget-user, forget-tenant)`,
    );
  const command: MemoryCommandName = `memory ${sub}`;
  const { values, positionals } = parse(command, rest, {
    as: ACTOR.as,
    ...(sub === 'forget-user' ? { tenant: { type: 'string' as const } } : {}),
    json: { type: 'boolean', default: false },
    ...TIMEOUT,
    ...connectionOptions,
  });
  if (values.help) return { name: 'help', topic: command };
  const [target, ...extra] = positionals;
  noPositionals(command, extra);
  const tenant = sub === 'forget-user' ? (values as { tenant?: string }).tenant : target;
  if (target === undefined)
    throw new UsageError(
      `switchboard ${command}: say which ${sub === 'forget-user' ? 'user' : 'tenant'}`,
      command,
    );
  if (sub === 'forget-user') checkValue(command, 'the user id', UserId.safeParse(target), target);
  if (tenant === undefined)
    throw new UsageError(
      `switchboard ${command}: --tenant is required: a user id names a user in one tenant`,
      command,
    );
  checkValue(command, 'the tenant id', TenantId.safeParse(tenant), tenant);
  return {
    name: command,
    target,
    // the platform operator, acting in the tenant the forget is about
    actor: { ...actorOf(command, { as: values.as, role: PLATFORM_ADMIN_ROLE }), tenantId: tenant },
    json: values.json === true,
    ...timeoutOf(command, values.timeout),
    connection: connectionOf(values),
  };
}

function checkValue(
  command: MemoryCommandName,
  what: string,
  parsed: { success: boolean; error?: { issues: { message: string }[] } },
  value: string,
): void {
  if (!parsed.success)
    throw new UsageError(
      `switchboard ${command}: ${what} ${parsed.error?.issues[0]?.message ?? 'is not valid'}, got "${value}"`,
      command,
    );
}
