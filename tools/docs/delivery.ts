// How a command is delivered, in words: shared by docs/subjects.md and docs/asyncapi.yaml.
import type { CommandContract } from '@switchboard/contracts';

/** The delivery guarantee of a command, as the contract declares it (one reply or a stream of them). */
export function commandDelivery(c: CommandContract): string {
  const wait = `${c.timeoutMs / 1000} s`;
  if (c.reply === 'stream')
    return `request/streamed reply (parts in \`seq\` order), at most once; by default the caller times out after ${wait} without the first part, then after the same silence between parts`;
  const retried =
    c.idempotency === 'idempotent'
      ? '; idempotent: sent again after no responders, a timeout or a lost connection'
      : c.idempotency === 'keyed'
        ? '; sent again (same `idempotencyKey`) after no responders, a timeout or a lost connection when it carries a key'
        : '; never sent twice';
  return `request/reply, at most once per send; by default the caller waits ${wait}${retried}`;
}
