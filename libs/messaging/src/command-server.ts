import { NatsContext, ServerNats } from '@nestjs/microservices';
import type { Msg } from '@nats-io/transport-node';
import { isObservable, lastValueFrom } from 'rxjs';
import { encodeJson } from './codec.js';

interface RequestPacket {
  id?: unknown;
  data?: unknown;
}

/**
 * Nest's NATS server — connection, queue-group subscriptions, the handler registry, guards, pipes,
 * interceptors and exception filters all stay Nest's — with the reply path of a request made direct.
 * A NATS request has exactly one reply; Nest's generic path (an rxjs stream, a nextTick queue, the
 * serializer, and a JSON.parse of the pattern that throws for every plain subject) cost more per hop
 * than everything else in the library, so a request to a plain-subject handler is answered here with
 * the same `{ id, response | err, isDisposed }` packet Nest would send. Anything else (events, object
 * patterns, a body that is not Nest's envelope) takes Nest's own path.
 */
export class CommandServer extends ServerNats {
  protected override getRouteFromPattern(pattern: string): string {
    return pattern.startsWith('{') ? super.getRouteFromPattern(pattern) : pattern;
  }

  override async handleMessage(channel: string, natsMsg: Msg): Promise<void> {
    const handler = natsMsg.reply ? this.messageHandlers.get(channel) : undefined;
    let packet: RequestPacket | undefined;
    if (handler && !handler.isEventHandler) {
      try {
        packet = natsMsg.json<RequestPacket>();
      } catch {
        packet = undefined; // not JSON: Nest's path answers it as it always has
      }
    }
    if (!handler || !packet || typeof packet !== 'object' || packet.id === undefined) {
      return super.handleMessage(channel, natsMsg);
    }
    const id = packet.id;
    const reply = (body: { response: unknown } | { err: unknown }) => {
      try {
        natsMsg.respond(encodeJson({ ...body, id, isDisposed: true }));
      } catch (err) {
        this.logger.error(err);
      }
    };
    try {
      const out: unknown = await handler(
        packet.data,
        new NatsContext([natsMsg.subject, natsMsg.headers]),
      );
      reply({
        response: isObservable(out) ? await lastValueFrom(out, { defaultValue: undefined }) : out,
      });
    } catch (err) {
      // Nest's exception filters turn a thrown RpcException into a failing stream of its error body.
      reply({ err });
    }
  }
}
