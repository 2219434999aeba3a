import { Inject, Injectable } from '@nestjs/common';
import {
  type CommandContract,
  DomainError,
  ErrorBody,
  type EventContract,
  type TokenValues,
  validationError,
} from '@switchboard/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { Metrics } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { buildHeaders, type OutgoingOptions } from './message-meta.js';
import { fromNatsRequestError, RemoteError } from './messaging.errors.js';
import { MESSAGING_OPTIONS, type MessagingOptions, NATS_CONNECTION } from './messaging.options.js';
import { decodeJson, encodeJson } from './codec.js';

export interface RequestOptions extends OutgoingOptions {
  timeoutMs?: number;
}

/** Nest's NATS reply packet (see @nestjs/microservices ServerNats). */
interface ReplyPacket {
  id?: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

/**
 * Typed request/reply and publish. Payloads are validated before sending and replies after receiving.
 * Requests speak Nest's NATS envelope (`{pattern, data, id}`) over the shared connection's muxed inbox,
 * so any Nest `@MessagePattern` handler answers them, and NATS' no-responders status is detected at once.
 */
@Injectable()
export class NatsBus {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly metrics: Metrics,
  ) {}

  async request<C extends CommandContract>(
    contract: C,
    payload: z.input<C['request']>,
    opts: RequestOptions = {},
  ): Promise<z.infer<C['response']>> {
    const parsed = contract.request.safeParse(payload);
    if (!parsed.success) throw validationError(`request for ${contract.subject}`, parsed.error);
    const timeoutMs = opts.timeoutMs ?? contract.timeoutMs;
    const started = performance.now();
    let outcome = 'ok';
    try {
      let reply;
      try {
        reply = await this.nc.request(
          contract.subject,
          encodeJson({ pattern: contract.subject, data: parsed.data, id: randomUUID() }),
          { timeout: timeoutMs, headers: buildHeaders(this.options.service, opts) },
        );
      } catch (e) {
        throw fromNatsRequestError(e, contract.subject, contract.service, timeoutMs);
      }
      const packet = decodeJson(reply.data) as ReplyPacket;
      if (packet.err !== undefined && packet.err !== null) {
        const body = ErrorBody.safeParse(packet.err);
        if (body.success) throw new RemoteError(contract.service, body.data);
        throw new DomainError(
          'UPSTREAM_ERROR',
          `${contract.service} failed on ${contract.subject}: ${describe(packet.err)}`,
        );
      }
      const response = contract.response.safeParse(packet.response);
      if (!response.success) {
        const e = validationError(
          `reply from ${contract.service} on ${contract.subject}`,
          response.error,
        );
        throw new DomainError('UPSTREAM_ERROR', e.message, {
          ...(e.details ? { details: e.details } : {}),
        });
      }
      return response.data as z.infer<C['response']>;
    } catch (e) {
      outcome = e instanceof DomainError ? e.code : 'INTERNAL';
      throw e;
    } finally {
      this.metrics.natsRequests.inc({ subject: contract.subject, outcome });
      this.metrics.natsRequestSeconds.observe(
        { subject: contract.subject },
        (performance.now() - started) / 1000,
      );
    }
  }

  /** Core NATS publish (at most once) of a validated event. */
  publish<E extends EventContract>(
    contract: E,
    tokens: TokenValues<E['tokens']>,
    payload: z.input<E['payload']>,
    opts: OutgoingOptions = {},
  ): void {
    const parsed = contract.payload.safeParse(payload);
    if (!parsed.success) throw validationError(`payload for ${contract.template}`, parsed.error);
    const subject = contract.subject(...tokens);
    this.nc.publish(subject, encodeJson({ pattern: subject, data: parsed.data }), {
      headers: buildHeaders(this.options.service, opts),
    });
  }

  /** The raw connection, for the few edge adapters (tail, bench) that need it. */
  get connection(): NatsConnection {
    return this.nc;
  }
}

function describe(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && 'message' in err)
    return String((err as { message: unknown }).message);
  return JSON.stringify(err);
}
