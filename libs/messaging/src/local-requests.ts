import { type CommandContract, inboxPrefix, type NatsIdentity } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { type LocalResponder, localCommands } from './local-commands.js';
import type { LocalTrafficCopies } from './local-traffic.js';
import { buildHeaders, type OutgoingOptions } from './message-meta.js';
import { MessagingTimeoutError, NotPermittedError } from './messaging.errors.js';

/** Nest's NATS reply packet (see @nestjs/microservices ServerNats). */
export interface ReplyPacket {
  id?: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

/**
 * The responder in this process for a request on `contract`, when the process runs an in-process bus
 * (a cell) and a service of it serves the command. Streamed replies and waiters (one replica's own
 * subject) always go over NATS.
 */
export function inProcess(contract: CommandContract): LocalResponder | undefined {
  if (contract.reply === 'stream' || contract.responder === 'waiter') return undefined;
  return localCommands.responderFor(contract.pattern);
}

/**
 * One service's requests to services of its own process: what NATS would do, without the network.
 * The caller's NATS permissions are applied (a command whose contract does not name it among its
 * callers is refused, as nats-server refuses the publish), the request and the reply cross as JSON
 * (nothing shared between the two services' objects), the handler reads the same headers and reply
 * identity it would from NATS, and the exchange is copied to the traffic's watchers.
 */
export class LocalRequests {
  constructor(
    private readonly service: NatsIdentity,
    private readonly copies: LocalTrafficCopies,
  ) {}

  async call(
    contract: CommandContract,
    subject: string,
    data: unknown,
    opts: OutgoingOptions,
    timeoutMs: number,
    responder: LocalResponder,
  ): Promise<ReplyPacket> {
    if (!(contract.callers as readonly string[]).includes(this.service))
      throw new NotPermittedError(subject, contract.service);
    const headers = buildHeaders(this.service, opts);
    const id = randomUUID();
    const reply = `${inboxPrefix(this.service)}.local.${id}`;
    const request = JSON.stringify({ pattern: subject, data, id });
    this.copies.add(subject, request, { reply, headers });
    const received = (JSON.parse(request) as { data: unknown }).data;
    let timer: NodeJS.Timeout | undefined;
    const body = await Promise.race([
      responder.serveLocal(contract.pattern, subject, received, headers, reply),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new MessagingTimeoutError(subject, timeoutMs)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    const packet = JSON.stringify({ ...body, id, isDisposed: true });
    this.copies.add(reply, packet);
    return JSON.parse(packet) as ReplyPacket;
  }
}
