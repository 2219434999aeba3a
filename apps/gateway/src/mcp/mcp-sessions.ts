import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  ElicitResultSchema,
  ErrorCode,
  isInitializeRequest,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { type Actor, type Tasks, tenantOf, Tools } from '@switchboard/contracts';
import { AuditTrail, type BusSubscription, NatsBus } from '@switchboard/messaging';
import {
  LOGGER,
  type Logger,
  SERVICE_IDENTITY,
  type ServiceIdentity,
} from '@switchboard/observability';
import { ServiceShutdown } from '@switchboard/runtime';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { MemoryResources } from './memory-resources.js';
import { PlatformTools } from './platform-tools.js';
import { DECISION_FORM } from './mcp-approval.text.js';
import { type Elicit, McpApprovals } from './mcp-approvals.js';
import { callRequestOf, listMcpTools, offeredCall, routeCall } from './mcp-tool-calls.js';
import { ProtocolError, toCallFailure } from './mcp.translator.js';

/** Sessions kept at once; the least recently used one is closed to make room. */
export const MAX_SESSIONS = 1_000;
/** A session unused this long is closed (the client re-initializes: a 404 tells it to). */
export const SESSION_IDLE_MS = 30 * 60_000;

/** One MCP request as the gateway hands it over: the authenticated caller and the raw HTTP exchange. */
export interface McpExchange {
  actor: Actor;
  constraints: Tasks.ToolConstraints | undefined;
  req: IncomingMessage;
  res: ServerResponse;
  body: unknown;
}

interface Session {
  id: string;
  userId: string;
  /** The tenant the session's user acts in: the same user id in another tenant is someone else. */
  tenantId: string;
  server: Server;
  transport: StreamableHTTPServerTransport;
  lastUsed: number;
}

/** What a request carries to the SDK handlers (as `authInfo.extra`): who is calling, under which constraints. */
interface CallerInfo {
  actor: Actor;
  constraints: Tasks.ToolConstraints | undefined;
}

/** What the SDK hands a request handler besides the request (its stream, its abort signal). */
type CallExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

type WithAuth = IncomingMessage & {
  auth?: { token: string; clientId: string; scopes: string[]; extra?: Record<string, unknown> };
};

/**
 * The platform as an MCP server (Streamable HTTP, stateful). Each session is a low-level SDK `Server`
 * (so tool schemas pass through untouched) bound to the user who opened it; every request is
 * authenticated on its own, and tools are listed and called as that request's caller through mcp-tools,
 * which enforces roles, admin-only tools, authorizations and constraints. When the tools on offer
 * change (`Tools.ToolsChanged`), affected sessions get `notifications/tools/list_changed`. A call of
 * a tool whose policy needs approval runs as a one-call task (McpApprovals), decided by elicitation
 * when the client can ask its user.
 */
@Injectable()
export class McpSessions implements OnModuleInit, BeforeApplicationShutdown {
  private readonly sessions = new Map<string, Session>();
  private subscription: BusSubscription | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly tools: PlatformTools,
    private readonly approvals: McpApprovals,
    private readonly bus: NatsBus,
    private readonly audit: AuditTrail,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    shutdown: ServiceShutdown,
    private readonly memory: MemoryResources,
  ) {
    // Open GET streams would hold the HTTP listener open; they end when the gateway starts stopping.
    shutdown.whenDraining('MCP sessions', () => this.closeAll());
  }

  onModuleInit(): void {
    this.subscription = this.bus.subscribe(Tools.ToolsChanged, ({ userId }) =>
      this.toolsChanged(userId),
    );
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    this.subscription?.unsubscribe();
    await this.closeAll();
  }

  private async closeAll(): Promise<void> {
    await Promise.allSettled([...this.sessions.values()].map((s) => s.transport.close()));
    this.sessions.clear();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Serves one POST/GET/DELETE of the endpoint. The HTTP reply is written by the SDK transport. */
  async handle(exchange: McpExchange): Promise<void> {
    const { actor, req, res, body } = exchange;
    (req as WithAuth).auth = {
      token: '',
      clientId: actor.userId,
      scopes: [],
      extra: { caller: { actor, constraints: exchange.constraints } },
    };
    const sessionId = header(req, 'mcp-session-id');
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      // Someone else's session (another user, or the same user id in another tenant) is answered
      // like an unknown one, and the attempt audited.
      if (!session || session.userId !== actor.userId || session.tenantId !== tenantOf(actor)) {
        if (session) this.auditForeign(actor, session);
        return reject(res, 404, 'unknown or expired session; initialize again');
      }
      session.lastUsed = Date.now();
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return reject(
        res,
        400,
        'no session: send an initialize request first (then the Mcp-Session-Id header)',
      );
    }
    await this.open(actor.userId, tenantOf(actor)).handleRequest(req, res, body);
  }

  /**
   * Someone presented another's session id: recorded as denied in the presenter's own tenant, naming
   * neither the session nor its owner (the id is the owner's; the reason says only whose it was not).
   */
  private auditForeign(actor: Actor, session: Session): void {
    void this.audit.record({
      category: 'auth',
      action: 'mcp.session',
      outcome: 'denied',
      resource: 'mcp',
      actor: { userId: actor.userId, role: actor.role },
      tenantId: tenantOf(actor),
      details: {
        reason: session.tenantId !== tenantOf(actor) ? 'other_tenant' : 'other_user',
      },
    });
  }

  /** A new session's transport; the session is kept once the SDK has initialized it. */
  private open(userId: string, tenantId: string): StreamableHTTPServerTransport {
    if (this.sessions.size >= MAX_SESSIONS) this.evictLeastRecentlyUsed();
    const server = new Server(
      { name: 'switchboard', version: this.identity.version },
      {
        capabilities: { tools: { listChanged: true }, resources: {} },
        instructions:
          "Switchboard's tools you may use; calls run with your identity and permissions. Your long-term memory is a resource (switchboard://memory/{kind}/{key}).",
      },
    );
    // Memory as resources (memory-resources.ts): mcp-tools decides what the caller may read.
    server.setRequestHandler(ListResourcesRequestSchema, (_r, extra) =>
      this.memory.list(callerOf(extra.authInfo?.extra).actor),
    );
    server.setRequestHandler(ListResourceTemplatesRequestSchema, () => this.memory.templates());
    server.setRequestHandler(ReadResourceRequestSchema, (r, extra) =>
      this.memory.read(callerOf(extra.authInfo?.extra).actor, r.params.uri),
    );
    server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => ({
      tools: await listMcpTools(this.tools, callerOf(extra.authInfo?.extra)),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const caller = callerOf(extra.authInfo?.extra);
      const call = callRequestOf(request.params);
      try {
        const route = await routeCall(
          this.tools,
          caller,
          await offeredCall(this.tools, caller, call),
        );
        if ('answer' in route) return route.answer;
        const { gated } = route;
        return await this.approvals.call({
          ...gated,
          onEvent: gated.task ? progressOf(extra) : undefined,
          elicit: elicitOf(server, extra),
          signal: extra.signal,
        });
      } catch (e) {
        return toCallFailure(call.name, e);
      }
    });
    let session: Session | undefined;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session = { id, userId, tenantId, server, transport, lastUsed: Date.now() };
        this.sessions.set(id, session);
      },
    });
    transport.onclose = () => {
      if (session) this.sessions.delete(session.id);
    };
    // Connecting only wires the transport; nothing is sent before the client's initialize.
    server
      .connect(transport)
      .catch((e: unknown) => this.logger.error({ err: e }, 'could not set up an MCP session'));
    return transport;
  }

  private toolsChanged(userId: string | undefined): void {
    for (const session of this.sessions.values()) {
      if (userId === undefined || session.userId === userId) {
        session.server
          .sendToolListChanged()
          .catch((e: unknown) =>
            this.logger.debug({ err: e, session: session.id }, 'list_changed not delivered'),
          );
      }
    }
  }

  private sweep(): void {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const session of [...this.sessions.values()])
      if (session.lastUsed < cutoff) this.close(session);
  }

  private evictLeastRecentlyUsed(): void {
    let oldest: Session | undefined;
    for (const session of this.sessions.values())
      if (!oldest || session.lastUsed < oldest.lastUsed) oldest = session;
    if (oldest) {
      this.logger.warn(
        { session: oldest.id, sessions: this.sessions.size },
        'MCP session limit reached; closing the least recently used',
      );
      this.close(oldest);
    }
  }

  private close(session: Session): void {
    this.sessions.delete(session.id);
    void session.transport.close().catch(() => undefined);
  }
}

function callerOf(extra: Record<string, unknown> | undefined): CallerInfo {
  const caller = extra?.['caller'] as CallerInfo | undefined;
  // The gateway sets it on every request before the SDK sees it; its absence is a wiring bug.
  if (!caller)
    throw new ProtocolError(ErrorCode.InternalError, 'request without an authenticated caller');
  return caller;
}

/**
 * How to ask this call's client for a decision, when it declared form elicitation (an empty
 * `elicitation` capability means forms). Asked on the call's own stream: the client may have no GET
 * stream open.
 */
function elicitOf(server: Server, extra: CallExtra): Elicit | undefined {
  const elicitation = server.getClientCapabilities()?.elicitation;
  if (elicitation === undefined || (elicitation.form === undefined && elicitation.url))
    return undefined;
  return (message, timeout) =>
    extra.sendRequest(
      {
        method: 'elicitation/create',
        params: { mode: 'form', message, requestedSchema: DECISION_FORM },
      },
      ElicitResultSchema,
      { timeout, signal: extra.signal },
    );
}

/**
 * A whole task's progress (`switchboard.run_task`), when the client asked for it with a
 * `progressToken`: one `notifications/progress` per task event, its seq the progress and its name
 * the message. Best effort: a notification that cannot be sent is dropped.
 */
function progressOf(extra: CallExtra): ((event: Tasks.TaskEvent) => void) | undefined {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  return (event) =>
    void extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: event.seq, message: event.name },
      })
      .catch(() => undefined);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function reject(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      jsonrpc: '2.0',
      error: { code: ErrorCode.ConnectionClosed, message },
      id: null,
    }),
  );
}
