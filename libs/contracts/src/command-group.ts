import type { z } from 'zod';
import {
  type CommandCaller,
  type CommandContract,
  type CommandDefinition,
  defineCommand,
  defineQuery,
} from './define.js';

/** A group member's definition: its subject is the group's, its callers the group's unless it says. */
export type GroupCommandDefinition<
  S extends string,
  Req extends z.ZodType,
  Res extends z.ZodType,
> = Omit<CommandDefinition<S, Req, Res>, 'subject' | 'callers'> & {
  readonly callers?: readonly CommandCaller[];
};

/**
 * The commands of one domain, whose subjects share `prefix` (`sb.cmd.orchestrator.webhook`) and which
 * the same services send: `command(action, …)` and `query(action, …)` define `<prefix>.<action>` as
 * defineCommand and defineQuery do, with the group's callers unless the definition names its own.
 */
export function commandGroup<const P extends string>(
  prefix: P,
  group: { readonly callers: readonly CommandCaller[] },
) {
  const subject = <A extends string>(action: A) => `${prefix}.${action}` as `${P}.${A}`;
  return {
    command: <A extends string, Req extends z.ZodType, Res extends z.ZodType>(
      action: A,
      def: GroupCommandDefinition<`${P}.${A}`, Req, Res>,
    ): CommandContract<`${P}.${A}`, Req, Res> =>
      defineCommand({ subject: subject(action), callers: group.callers, ...def }),
    query: <A extends string, Req extends z.ZodType, Res extends z.ZodType>(
      action: A,
      def: Omit<GroupCommandDefinition<`${P}.${A}`, Req, Res>, 'idempotency'>,
    ): CommandContract<`${P}.${A}`, Req, Res> =>
      defineQuery({ subject: subject(action), callers: group.callers, ...def }),
  };
}
