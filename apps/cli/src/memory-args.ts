// `switchboard memory forget-user <userId> --tenant <tenantId>`, `switchboard memory forget-namespace
// <kind> <key> --tenant <tenantId>` and `switchboard memory forget-tenant <tenantId>`: the operator's
// side of a request to be forgotten (docs/memory.md), parsed like the other subcommands. The operator
// sees counts, never what was remembered.
import { type Actor, PLATFORM_ADMIN_ROLE, TenantId, Tools, UserId } from '@switchboard/contracts';
import {
  ACTOR,
  actorOf,
  ANSWER,
  type AnswerFlags,
  answerOf,
  noPositionals,
  parse,
  subcommandError,
  UsageError,
} from './args.parsing.js';
import {
  MEMORY_SUBCOMMANDS as SUBCOMMANDS,
  type MemoryCommandName,
  type MemorySub,
} from './cli.commands.js';

export interface MemoryForgetCommand extends AnswerFlags {
  name: MemoryCommandName;
  /** What to forget: a user (in `--tenant`), a tenant, or one namespace (in `--tenant`). */
  forget: { userId: string } | { tenantId: string } | { namespace: Tools.MemoryNamespace };
  /** The platform operator, acting in the tenant concerned. */
  actor: Actor;
}

export type MemoryHelp = { name: 'help'; topic: MemoryCommandName };

const isSub = (s: string | undefined): s is MemorySub => SUBCOMMANDS.includes(s as MemorySub);

/** `switchboard memory <sub> …` (`args`: what follows `memory`). */
export function parseMemory(args: readonly string[]): MemoryForgetCommand | MemoryHelp {
  const [sub, ...rest] = args;
  if (!isSub(sub))
    throw subcommandError(
      'memory',
      sub,
      '`switchboard memory forget-user <userId> --tenant <tenantId>`, `switchboard memory forget-namespace <kind> <key> --tenant <tenantId>` or `switchboard memory forget-tenant <tenantId>`',
      SUBCOMMANDS,
    );
  const command: MemoryCommandName = `memory ${sub}`;
  const inTenant = sub !== 'forget-tenant';
  const { values, positionals } = parse(command, rest, {
    as: ACTOR.as,
    ...(inTenant ? { tenant: { type: 'string' as const } } : {}),
    ...ANSWER,
  });
  if (values.help) return { name: 'help', topic: command };
  const forget = targetOf(command, sub, positionals);
  const tenant = 'tenantId' in forget ? forget.tenantId : (values as { tenant?: string }).tenant;
  if (tenant === undefined)
    throw new UsageError(
      `switchboard ${command}: --tenant is required: a ${sub === 'forget-user' ? 'user id names a user' : 'namespace is one'} in one tenant`,
      command,
    );
  checkValue(command, 'the tenant id', TenantId.safeParse(tenant), tenant);
  return {
    name: command,
    forget,
    // the platform operator, acting in the tenant the forget is about
    actor: { ...actorOf(command, { as: values.as, role: PLATFORM_ADMIN_ROLE }), tenantId: tenant },
    ...answerOf(command, values),
  };
}

/** The positionals: `<userId>`, `<tenantId>` or `<kind> <key>`, each checked against its schema. */
function targetOf(
  command: MemoryCommandName,
  sub: MemorySub,
  positionals: string[],
): MemoryForgetCommand['forget'] {
  const wanted = sub === 'forget-namespace' ? 2 : 1;
  noPositionals(command, positionals.slice(wanted));
  const [first, second] = positionals;
  if (sub === 'forget-namespace') {
    if (first === undefined || second === undefined)
      throw new UsageError(
        `switchboard ${command}: say which namespace: <kind> <key> (kind: ${Tools.MemoryNamespaceKind.options.join(', ')})`,
        command,
      );
    const kind = checkValue(command, 'the kind', Tools.MemoryNamespaceKind.safeParse(first), first);
    const key = checkValue(
      command,
      'the key',
      Tools.MemoryNamespace.shape.key.safeParse(second),
      second,
    );
    return { namespace: { kind, key } };
  }
  const whose = sub === 'forget-user' ? 'user' : 'tenant';
  if (first === undefined)
    throw new UsageError(`switchboard ${command}: say which ${whose}`, command);
  if (sub === 'forget-user')
    return { userId: checkValue(command, 'the user id', UserId.safeParse(first), first) };
  return { tenantId: checkValue(command, 'the tenant id', TenantId.safeParse(first), first) };
}

function checkValue<T>(
  command: MemoryCommandName,
  what: string,
  parsed: { success: true; data: T } | { success: false; error: { issues: { message: string }[] } },
  value: string,
): T {
  if (!parsed.success)
    throw new UsageError(
      `switchboard ${command}: ${what} ${parsed.error.issues[0]?.message ?? 'is not valid'}, got "${value}"`,
      command,
    );
  return parsed.data;
}
