import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  createMcpHandler,
  isLegacyRequest,
  type McpHttpHandler,
} from '@modelcontextprotocol/server';
import { Tools } from '@switchboard/contracts';
import { type BusSubscription, NatsBus } from '@switchboard/messaging';
import {
  extractTraceContext,
  LOGGER,
  type Logger,
  SERVICE_IDENTITY,
  type ServiceIdentity,
  SpanKind,
  withSpan,
} from '@switchboard/observability';
import { ServiceShutdown } from '@switchboard/runtime';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { McpApprovals } from './mcp-approvals.js';
import { MemoryResources } from './memory-resources.js';
import { modernServer } from './mcp-modern.server.js';
import type { McpExchange } from './mcp-sessions.js';
import { McpTasks } from './mcp-tasks.js';
import { PlatformTools } from './platform-tools.js';

/**
 * MCP revision 2026-07-28 on `/mcp` (the official v2 server package): stateless — no initialize, no
 * session, any gateway replica answers any request. The SDK chooses the revision from the request as
 * the spec says (the `_meta` envelope and the `MCP-Protocol-Version` header), checks the
 * `MCP-Protocol-Version`/`Mcp-Method`/`Mcp-Name` headers against the body (-32020 on a mismatch),
 * answers `server/discover`, and stamps `resultType`, `ttlMs`/`cacheScope` and `serverInfo`; everything
 * else (2025-era traffic: initialize, sessions, GET and DELETE) is McpSessions', as before.
 */
@Injectable()
export class McpModern implements OnModuleInit, BeforeApplicationShutdown {
  private readonly handler: McpHttpHandler;
  private subscription: BusSubscription | undefined;

  constructor(
    tools: PlatformTools,
    approvals: McpApprovals,
    tasks: McpTasks,
    private readonly bus: NatsBus,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_IDENTITY) identity: ServiceIdentity,
    shutdown: ServiceShutdown,
    memory: MemoryResources,
  ) {
    const deps = { tools, approvals, tasks, memory, version: identity.version };
    this.handler = createMcpHandler((ctx) => modernServer(ctx, deps), {
      // 2025-era requests never reach this handler: the controller routes them to McpSessions.
      legacy: 'reject',
      onerror: (e) => this.logger.debug({ err: e }, 'MCP 2026-07-28 request refused'),
    });
    // Open `subscriptions/listen` streams would hold the HTTP listener open.
    shutdown.whenDraining('MCP 2026-07-28 streams', () => this.handler.close());
  }

  /**
   * The tools on offer changed (the registry, or someone's grants): every open `subscriptions/listen`
   * stream of this replica that asked for it gets `notifications/tools/list_changed` — each replica
   * hears the event, so a client is told whichever replica holds its stream. Not filtered by user:
   * a stream may hear of another's change, and lists again for nothing.
   */
  onModuleInit(): void {
    this.subscription = this.bus.subscribe(Tools.ToolsChanged, () =>
      this.handler.notify.toolsChanged(),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.handler.close();
  }

  /** Whether the request is of the 2025 era (McpSessions serves it); the SDK's own classification. */
  isLegacy(exchange: Pick<McpExchange, 'req' | 'body'>): Promise<boolean> {
    return isLegacyRequest(webRequestOf(exchange.req), exchange.body ?? undefined);
  }

  /** Serves one 2026-07-28 request: the SDK answers, the answer is written on the raw response. */
  async handle(exchange: McpExchange): Promise<void> {
    const { actor, constraints, req, res, body } = exchange;
    const controller = new AbortController();
    res.once('close', () => controller.abort());
    const serve = () =>
      this.handler.fetch(webRequestOf(req, controller.signal), {
        parsedBody: body,
        authInfo: {
          token: '',
          clientId: actor.userId,
          scopes: [],
          extra: { caller: { actor, constraints } },
        },
      });
    let response: Response;
    try {
      response = await inTraceOf(body, req, serve);
    } catch (e) {
      // The SDK answers every protocol failure itself; this is a fault of ours, said once.
      this.logger.error({ err: e }, 'MCP 2026-07-28 request failed');
      response = Response.json(
        { jsonrpc: '2.0', id: null, error: { code: -32603, message: 'internal error' } },
        { status: 500 },
      );
    }
    await writeResponse(response, res);
  }
}

/**
 * Runs the request in the trace its `_meta` names (`traceparent`/`tracestate`, 2026-07-28), as a
 * server span below the caller's: what the call causes (NATS, the task) continues the caller's
 * trace. A `traceparent` header, when sent, already did that (the HTTP span).
 */
function inTraceOf<T>(body: unknown, req: IncomingMessage, fn: () => Promise<T>): Promise<T> {
  const params = (body as { method?: unknown; params?: { _meta?: unknown } } | undefined)?.params;
  const meta = params?._meta as Record<string, unknown> | undefined;
  const carrier = (key: string) => (typeof meta?.[key] === 'string' ? meta[key] : undefined);
  if (!carrier('traceparent') || req.headers.traceparent) return fn();
  const method = String((body as { method?: unknown }).method ?? 'request').slice(0, 64);
  return withSpan(`MCP ${method}`, { 'rpc.system': 'mcp', 'rpc.method': method }, fn, {
    parent: extractTraceContext(carrier),
    kind: SpanKind.SERVER,
  });
}

/** The Node request as a web Request without its body (the gateway parsed it; `parsedBody`). */
function webRequestOf(req: IncomingMessage, signal?: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  // The Host was checked already (McpOriginGuard); the SDK routes on headers and body, not the URL,
  // so a fixed origin keeps an odd Host header from breaking the URL.
  const path = req.url?.startsWith('/') ? req.url : '/mcp';
  return new Request(new URL(path, 'http://localhost'), {
    method: req.method ?? 'POST',
    headers,
    ...(signal ? { signal } : {}),
  });
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) {
    res.end();
    return;
  }
  try {
    await pipeline(Readable.fromWeb(response.body as never), res);
  } catch {
    // the client went away mid-stream: nothing left to answer
  }
}
