import {
  A2A_VERSION_HEADER,
  type AgentCard,
  formatSSEErrorEvent,
  formatSSEEvent,
  SSE_HEADERS,
} from '@a2a-js/sdk';
import { JsonRpcTransportHandler, ServerCallContext, validateVersion } from '@a2a-js/sdk/server';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Actor } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { ServerResponse } from 'node:http';
import type { GatewayEnv } from '../config/gateway.env.js';
import { TaskAccess } from '../tasks/task-access.js';
import { ActorUser, cardJson } from './a2a.translator.js';
import { PlatformAgentExecutor } from './platform-agent.executor.js';
import { platformAgentCard } from './platform-agent.card.js';
import { PlatformRequestHandler } from './platform-request.handler.js';

type JsonRpcId = string | number | null;
type JsonRpcResponse = { jsonrpc: string; id: JsonRpcId; result?: unknown; error?: unknown };

export interface A2aCall {
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  actor: Actor;
  /** The raw response: JSON for one answer, SSE for a stream. */
  res: ServerResponse;
}

/**
 * The A2A 1.0 JSON-RPC endpoint on Fastify: what the SDK's Express `jsonRpcHandler` does, around the
 * framework-neutral JsonRpcTransportHandler: version check (A2A-Version, absent = 0.3 = refused with
 * -32009), then one JSON answer, or an SSE stream whose errors before the first event are a plain
 * JSON-RPC error and after it an `event: error`.
 */
@Injectable()
export class A2aEndpoint {
  private readonly transport: JsonRpcTransportHandler;
  /** The card the handler checks versions and capabilities against (the URL is served per request). */
  private readonly card: AgentCard;

  constructor(
    executor: PlatformAgentExecutor,
    access: TaskAccess,
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.card = platformAgentCard(config, 'http://localhost');
    this.transport = new JsonRpcTransportHandler(
      new PlatformRequestHandler(this.card, executor, access, logger),
    );
  }

  /** The card as served to a caller who reached the gateway at `baseUrl`. */
  cardFor(baseUrl: string): Record<string, unknown> {
    return cardJson(platformAgentCard(this.config, baseUrl));
  }

  async handle(call: A2aCall): Promise<void> {
    const id = requestIdOf(call.body);
    const versionHeader = call.headers[A2A_VERSION_HEADER.toLowerCase()];
    const context = new ServerCallContext({
      user: new ActorUser(call.actor),
      ...(typeof versionHeader === 'string' && versionHeader
        ? { requestedVersion: versionHeader }
        : {}),
    });
    let answer: JsonRpcResponse | AsyncGenerator<JsonRpcResponse, void, undefined>;
    try {
      validateVersion(context.requestedVersion, this.card, 'JSONRPC');
      answer = await this.transport.handle(call.body as Record<string, unknown>, context);
    } catch (e) {
      return json(call.res, {
        jsonrpc: '2.0',
        id,
        error: JsonRpcTransportHandler.mapToJSONRPCError(e),
      });
    }
    if (!isAsyncIterable(answer)) return json(call.res, answer);

    const iterator = answer[Symbol.asyncIterator]();
    let first: IteratorResult<JsonRpcResponse, void>;
    try {
      first = await iterator.next();
    } catch (e) {
      return json(call.res, {
        jsonrpc: '2.0',
        id,
        error: JsonRpcTransportHandler.mapToJSONRPCError(e),
      });
    }
    call.res.writeHead(200, { ...SSE_HEADERS });
    // A client that goes away stops the stream; the platform task itself keeps running.
    call.res.on('close', () => void iterator.return?.(undefined));
    // Like SseWriter: a client that falls too far behind is dropped, not buffered for without bound.
    const write = (frame: string): boolean => {
      call.res.write(frame);
      if (call.res.writableLength <= this.config.SSE_MAX_BUFFER_BYTES) return true;
      this.logger.warn(
        { bufferedBytes: call.res.writableLength },
        'A2A stream dropped: the client reads too slowly (the task keeps running)',
      );
      call.res.destroy();
      return false;
    };
    try {
      if (!first.done) write(formatSSEEvent(first.value));
      for (
        let next = await iterator.next();
        !next.done && !call.res.writableEnded && !call.res.destroyed;
        next = await iterator.next()
      ) {
        if (!write(formatSSEEvent(next.value))) break;
      }
    } catch (e) {
      this.logger.warn({ err: e }, 'A2A stream ended with an error');
      if (!call.res.writableEnded && !call.res.destroyed)
        call.res.write(
          formatSSEErrorEvent({
            jsonrpc: '2.0',
            id,
            error: JsonRpcTransportHandler.mapToJSONRPCError(e),
          }),
        );
    } finally {
      if (!call.res.writableEnded) call.res.end();
    }
  }
}

function json(res: ServerResponse, body: JsonRpcResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function requestIdOf(body: unknown): JsonRpcId {
  const id = (body as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function isAsyncIterable<T>(value: unknown): value is AsyncGenerator<T, void, undefined> {
  return (
    typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] ===
    'function'
  );
}
