import {
  A2A_VERSION_HEADER,
  type AgentCard,
  formatSSEErrorEvent,
  formatSSEEvent,
  SSE_HEADERS,
} from '@a2a-js/sdk';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import { JsonRpcTransportHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Actor } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { ServerResponse } from 'node:http';
import type { GatewayEnv } from '../config/gateway.env.js';
import { CancelTaskUseCase } from '../tasks/cancel-task/cancel-task.use-case.js';
import { TaskAccess } from '../tasks/task-access.js';
import {
  ActorUser,
  assertAnswerable,
  cardJson,
  isLegacyVersion,
  legacyCardJson,
  requestedVersionOf,
} from './a2a.translator.js';
import { PlatformAgentExecutor } from './platform-agent.executor.js';
import { PlatformAgentQueries } from './platform-agent.queries.js';
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

/** One A2A version's JSON-RPC: its transport and how it words an error. */
interface Dialect {
  transport: {
    handle(
      body: Record<string, unknown>,
      context: ServerCallContext,
    ): Promise<JsonRpcResponse | AsyncGenerator<JsonRpcResponse, void, undefined>>;
  };
  error(e: unknown): unknown;
}

/**
 * The A2A JSON-RPC endpoint on Fastify: what the SDK's Express `jsonRpcHandler` does with legacyCompat,
 * around the framework-neutral transport handlers. The request's version (A2A-Version; absent = 0.3)
 * picks the 1.0 transport or the SDK's 0.3 compat transport, both over the same request handler; a
 * version the card does not list is refused with -32009 naming the supported ones. Then one JSON
 * answer, or an SSE stream whose errors before the first event are a plain JSON-RPC error and after it
 * an `event: error`.
 */
@Injectable()
export class A2aEndpoint {
  private readonly current: Dialect;
  private readonly legacy: Dialect;
  /** The card the handler checks versions and capabilities against (the URL is served per request). */
  private readonly card: AgentCard;

  constructor(
    executor: PlatformAgentExecutor,
    access: TaskAccess,
    cancelling: CancelTaskUseCase,
    queries: PlatformAgentQueries,
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.card = platformAgentCard(config, 'http://localhost');
    const handler = new PlatformRequestHandler(
      this.card,
      executor,
      access,
      cancelling,
      logger,
      queries,
    );
    this.current = {
      transport: new JsonRpcTransportHandler(handler),
      error: (e) => JsonRpcTransportHandler.mapToJSONRPCError(e),
    };
    this.legacy = {
      transport: new LegacyJsonRpcTransportHandler(handler),
      error: (e) => LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError(e),
    };
  }

  /**
   * The card as served to a caller who reached the gateway at `baseUrl`, in the version it asks for
   * with A2A-Version: none (or 0.3) gets the v0.3 card, any other the 1.0 card.
   */
  async cardFor(
    baseUrl: string,
    versionHeader: string | string[] | undefined,
  ): Promise<Record<string, unknown>> {
    const card = platformAgentCard(this.config, baseUrl);
    return isLegacyVersion(requestedVersionOf(versionHeader))
      ? legacyCardJson(card)
      : cardJson(card);
  }

  async handle(call: A2aCall): Promise<void> {
    const id = requestIdOf(call.body);
    const header = call.headers[A2A_VERSION_HEADER.toLowerCase()];
    const version = requestedVersionOf(header);
    const dialect = isLegacyVersion(version) ? this.legacy : this.current;
    const context = new ServerCallContext({
      user: new ActorUser(call.actor),
      requestedVersion: version,
    });
    let answer: JsonRpcResponse | AsyncGenerator<JsonRpcResponse, void, undefined>;
    try {
      assertAnswerable(this.card, version, (call.body as { method?: unknown } | null)?.method);
      answer = await dialect.transport.handle(call.body as Record<string, unknown>, context);
    } catch (e) {
      return json(call.res, { jsonrpc: '2.0', id, error: dialect.error(e) });
    }
    if (!isAsyncIterable(answer)) return json(call.res, answer);
    return this.stream(call.res, answer, (e) => ({ jsonrpc: '2.0', id, error: dialect.error(e) }));
  }

  private async stream(
    res: ServerResponse,
    answer: AsyncGenerator<JsonRpcResponse, void, undefined>,
    failure: (e: unknown) => JsonRpcResponse,
  ): Promise<void> {
    const iterator = answer[Symbol.asyncIterator]();
    let first: IteratorResult<JsonRpcResponse, void>;
    try {
      first = await iterator.next();
    } catch (e) {
      return json(res, failure(e));
    }
    res.writeHead(200, { ...SSE_HEADERS });
    // A client that goes away stops the stream; the platform task itself keeps running.
    res.on('close', () => void iterator.return?.(undefined));
    // Like SseWriter: a client that falls too far behind is dropped, not buffered for without bound.
    const write = (frame: string): boolean => {
      res.write(frame);
      if (res.writableLength <= this.config.SSE_MAX_BUFFER_BYTES) return true;
      this.logger.warn(
        { bufferedBytes: res.writableLength },
        'A2A stream dropped: the client reads too slowly (the task keeps running)',
      );
      res.destroy();
      return false;
    };
    try {
      if (!first.done) write(formatSSEEvent(first.value));
      for (
        let next = await iterator.next();
        !next.done && !res.writableEnded && !res.destroyed;
        next = await iterator.next()
      ) {
        if (!write(formatSSEEvent(next.value))) break;
      }
    } catch (e) {
      this.logger.warn({ err: e }, 'A2A stream ended with an error');
      if (!res.writableEnded && !res.destroyed) res.write(formatSSEErrorEvent(failure(e)));
    } finally {
      if (!res.writableEnded) res.end();
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
