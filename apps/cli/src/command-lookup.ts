// Which command of the contracts catalogue `switchboard call` was asked for, and whether the request
// fits it: checked before anything connects (no NATS client loaded), each mistake a UsageError.
import {
  CATALOGUE,
  type CommandContract,
  commandOfSubject,
  validationError,
} from '@switchboard/contracts';
import { UsageError } from './args.js';

/** A subject without its placeholder: `sb.cmd.tools.call.{taskId}` → `sb.cmd.tools.call`. */
const prefixOf = (c: CommandContract) =>
  c.token ? c.subject.slice(0, c.subject.lastIndexOf('.')) : c.subject;

/**
 * The command `subject` names: a command's subject, its template or prefix (`sb.cmd.tools.call.{taskId}`,
 * `sb.cmd.tools.call`), or a concrete subject its pattern takes (`sb.cmd.tools.call.<taskId>`). A
 * UsageError naming the subject and listing the commands otherwise.
 */
export function resolveCommand(subject: string): CommandContract {
  const found =
    commandOfSubject(subject) ?? CATALOGUE.commands.find((c) => c.token && prefixOf(c) === subject);
  if (found) return found;
  const commands = CATALOGUE.commands.map((c) => `  ${c.subject}`).join('\n');
  throw new UsageError(
    `switchboard call: "${subject}" is not a command of the contracts (docs/subjects.md). The commands are:\n${commands}`,
    'call',
  );
}

/**
 * The request for `contract`, checked against its schema (a UsageError naming each wrong field), and
 * — for a concrete subject given with its placeholder filled — that the request belongs on it.
 */
export function checkedRequest(
  contract: CommandContract,
  subject: string,
  request: unknown,
): unknown {
  const parsed = contract.request.safeParse(request);
  if (!parsed.success) {
    const e = validationError(`request for ${contract.subject}`, parsed.error);
    throw new UsageError(`switchboard call: ${e.message}`, 'call');
  }
  if (contract.token && subject !== contract.subject && subject !== prefixOf(contract)) {
    const own = contract.subjectOf(parsed.data);
    if (own !== subject)
      throw new UsageError(
        `switchboard call: this request goes on ${own}, not ${subject}: its ${contract.token} is what the subject's last token says (_ for none); put it in the request`,
        'call',
      );
  }
  return parsed.data;
}
