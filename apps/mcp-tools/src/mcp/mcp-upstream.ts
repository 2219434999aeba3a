import {
  type Client,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { DomainError, isDomainError, type Tools } from '@switchboard/contracts';
import { type BackoffSettings, RetrySchedule } from '@switchboard/messaging';
import { type Logger, SpanKind, withSpan } from '@switchboard/observability';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fillTemplate, type McpServerConfig } from '../definitions/tools-file.schema.js';
import type { CredentialStore } from '../tools/credential-store.js';
import { scrubValues } from '../tools/scrub.js';
import type { McpServerStatus } from './mcp-server.status.js';
import { MAX_PAGES, newClient } from './mcp-client.factory.js';
import { type CallRequest, callUpstream } from './mcp-upstream-call.js';
import { serverCredentials } from './mcp.translator.js';

export interface UpstreamListener {
  /** The server's current tool list (raw, untrusted), after connecting and after each `list_changed`. */
  tools(listed: unknown[]): void;
  /** The connection is gone; its tools must no longer be offered. */
  down(): void;
}

export interface UpstreamOptions {
  connectTimeoutMs: number;
  clientVersion: string;
  /** Waits between reconnection attempts (MCP_RECONNECT_INITIAL_MS … MCP_RECONNECT_MAX_DELAY_MS, jittered). */
  reconnect: BackoffSettings;
}

/** Tools accepted from one `tools/list` (at most MAX_PAGES pages), so a server cannot make us loop. */
const MAX_TOOLS = 1_000;

/**
 * One external MCP server (stdio child process or Streamable HTTP): connects with the v2 SDK's
 * `Client` in the newest revision the server offers — `server/discover` first (2026-07-28), the
 * 2025-11-25 `initialize` handshake for a server that does not answer it — lists its tools (following
 * `nextCursor`), re-lists on `notifications/tools/list_changed`, calls tools with the caller's abort
 * signal (`callUpstream`: questions, MCP tasks), and reconnects with backoff when the connection drops. Credentials go into the child's environment or the HTTP
 * headers only; the child's stderr is logged line by line with them scrubbed.
 */
export class McpUpstream {
  private client: Client | undefined;
  private state: McpServerStatus['state'] = 'disconnected';
  private since = new Date().toISOString();
  private toolCount = 0;
  private serverName: string | undefined;
  private revision: string | undefined;
  private lastError: string | undefined;
  private closing = false;
  private attempt = 0;
  private readonly retries: RetrySchedule;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private readonly secrets: string[];

  constructor(
    readonly config: McpServerConfig,
    private readonly credentials: CredentialStore,
    private readonly options: UpstreamOptions,
    private readonly logger: Logger,
    private readonly listener: UpstreamListener,
  ) {
    this.secrets = credentials.valuesFor(serverCredentials(config));
    this.retries = new RetrySchedule(options.reconnect);
  }

  status(): McpServerStatus {
    return {
      name: this.config.name,
      transport: this.config.transport,
      state: this.state,
      tools: this.toolCount,
      ...(this.serverName ? { server: this.serverName } : {}),
      ...(this.revision ? { revision: this.revision } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      since: this.since,
    };
  }

  /** Connects and lists tools; on failure, schedules a retry and rejects with the (scrubbed) reason. */
  async connect(): Promise<void> {
    if (this.closing) return;
    this.setState('connecting');
    const client = newClient(this.options.clientVersion);
    let transport: Transport;
    try {
      transport = this.createTransport();
    } catch (e) {
      this.failed(e);
      throw this.asError(e);
    }
    transport.onclose = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.disconnected('the connection closed');
    };
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      // A listing that fails is logged (and, while connecting, fails the connect itself).
      this.refresh().catch(() => undefined);
    });
    try {
      await client.connect(transport, { timeout: this.options.connectTimeoutMs });
      this.client = client;
      const version = client.getServerVersion();
      this.serverName = version ? `${version.name} ${version.version}` : undefined;
      this.revision = client.getNegotiatedProtocolVersion();
      await this.refresh();
      await this.listen(client);
      this.attempt = 0;
      this.retries.reset();
      this.lastError = undefined;
      this.setState('connected');
      this.logger.info(
        {
          server: this.config.name,
          tools: this.toolCount,
          upstream: this.serverName,
          revision: this.revision,
        },
        'MCP server connected',
      );
    } catch (e) {
      this.client = undefined;
      await client.close().catch(() => undefined);
      this.failed(e);
      throw this.asError(e);
    }
  }

  /** Calls `tool` (its upstream name); the raw result goes to the translator. */
  async call(
    tool: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    timeoutMs: number,
    answer?: Tools.ToolCallAnswer,
  ): Promise<unknown> {
    const client = this.client;
    if (!client || this.state !== 'connected') {
      throw new DomainError(
        'UPSTREAM_UNAVAILABLE',
        `MCP server ${this.config.name} is not connected`,
        { retryable: true },
      );
    }
    return withSpan(
      'mcp tools/call',
      {
        'mcp.method.name': 'tools/call',
        'mcp.server': this.config.name,
        'mcp.transport': this.config.transport,
        'mcp.protocol.version': this.revision ?? 'unknown',
        'gen_ai.tool.name': tool,
      },
      () =>
        this.request(client, { server: this.config.name, tool, args, signal, timeoutMs, answer }),
      { kind: SpanKind.CLIENT },
    );
  }

  private async request(client: Client, req: CallRequest): Promise<unknown> {
    const { tool, signal } = req;
    try {
      return await callUpstream(client, req);
    } catch (e) {
      if (signal.aborted)
        throw signal.reason instanceof Error
          ? signal.reason
          : new DomainError('CANCELLED', `${tool} was aborted`);
      if (isDomainError(e)) throw e;
      if (e instanceof SdkError && e.code === SdkErrorCode.RequestTimeout)
        throw new DomainError('TIMEOUT', `MCP server ${this.config.name} did not answer in time`, {
          retryable: true,
        });
      if (e instanceof SdkError && e.code === SdkErrorCode.ConnectionClosed) {
        this.disconnected('the connection closed during a call');
        throw new DomainError(
          'UPSTREAM_UNAVAILABLE',
          `MCP server ${this.config.name} closed the connection`,
          { retryable: true },
        );
      }
      if (e instanceof ProtocolError) {
        const code = e.code === ProtocolErrorCode.InvalidParams ? 'VALIDATION' : 'UPSTREAM_ERROR';
        throw new DomainError(code, `MCP server ${this.config.name}: ${this.scrub(e.message)}`);
      }
      // A transport failure (HTTP error, session gone): reconnect in the background.
      this.disconnected(this.describe(e));
      throw new DomainError(
        'UPSTREAM_UNAVAILABLE',
        `MCP server ${this.config.name} is unreachable: ${this.describe(e)}`,
        { retryable: true },
      );
    }
  }

  /**
   * On 2026-07-28 `notifications/tools/list_changed` arrives only on a `subscriptions/listen` stream:
   * opened when the server says its list changes. A stream the server ends unasked is a connection
   * lost (a server restarted): reconnected, and listed again, with backoff.
   */
  private async listen(client: Client): Promise<void> {
    if (client.getProtocolEra() !== 'modern') return;
    if (!client.getServerCapabilities()?.tools?.listChanged) return;
    let subscription: Awaited<ReturnType<Client['listen']>>;
    try {
      subscription = await client.listen(
        { toolsListChanged: true },
        { timeout: this.options.connectTimeoutMs },
      );
    } catch (e) {
      // Its tools are usable all the same; only changes to them go unheard until a reconnect.
      this.logger.warn(
        { server: this.config.name, error: this.describe(e) },
        'could not listen for tool changes of an MCP server',
      );
      return;
    }
    void subscription.closed.then((how) => {
      if (how !== 'local' && this.client === client)
        this.disconnected(`the subscriptions/listen stream ended (${how})`);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.retries.cancel();
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }

  /** Re-lists tools; concurrent notifications collapse into one more listing after the current one. */
  private refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        const client = this.client;
        if (!client) return;
        try {
          const listed = await this.listAll(client);
          this.toolCount = listed.length;
          this.listener.tools(listed);
        } catch (e) {
          this.logger.warn(
            { server: this.config.name, error: this.describe(e) },
            'could not list the tools of an MCP server',
          );
          if (this.state === 'connecting') throw e;
        }
      } while (this.refreshAgain);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async listAll(client: Client): Promise<unknown[]> {
    const tools: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      // Page by page (an explicit cursor), fetched afresh: a `list_changed` means it changed.
      const result = await client.listTools(cursor ? { cursor } : {}, {
        timeout: this.options.connectTimeoutMs,
        cacheMode: 'refresh',
      });
      tools.push(...result.tools);
      cursor = result.nextCursor;
      if (!cursor || tools.length >= MAX_TOOLS) break;
    }
    return tools.slice(0, MAX_TOOLS);
  }

  private createTransport(): Transport {
    const values = this.credentials.resolve(
      `MCP server ${this.config.name}`,
      serverCredentials(this.config),
    );
    if (this.config.transport === 'stdio') {
      const transport = new StdioClientTransport({
        command: this.config.command,
        args: this.config.args,
        env: Object.fromEntries(
          Object.entries(this.config.env).map(([k, v]) => [k, fillTemplate(v, values)]),
        ),
        ...(this.config.cwd ? { cwd: this.config.cwd } : {}),
        stderr: 'pipe',
      });
      const stderr = transport.stderr;
      if (stderr) {
        createInterface({ input: stderr as Readable }).on('line', (line) =>
          this.logger.info(
            { server: this.config.name, stderr: this.scrub(line.slice(0, 2_000)) },
            'MCP server stderr',
          ),
        );
      }
      return transport;
    }
    const headers = Object.fromEntries(
      Object.entries(this.config.headers).map(([k, v]) => [k, fillTemplate(v, values)]),
    );
    return new StreamableHTTPClientTransport(new URL(this.config.url), {
      requestInit: { headers },
    });
  }

  private disconnected(reason: string): void {
    if (this.closing || this.state === 'disconnected') return;
    this.lastError = reason;
    this.toolCount = 0;
    this.setState('disconnected');
    this.listener.down();
    const client = this.client;
    this.client = undefined;
    void client?.close().catch(() => undefined);
    this.logger.warn({ server: this.config.name, reason }, 'MCP server disconnected; reconnecting');
    this.scheduleRetry();
  }

  private failed(e: unknown): void {
    this.lastError = this.describe(e);
    this.setState('disconnected');
    this.logger.warn(
      { server: this.config.name, error: this.lastError, attempt: this.attempt + 1 },
      'could not connect to an MCP server',
    );
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closing) return;
    if (this.retries.schedule(() => void this.connect().catch(() => undefined)) !== undefined)
      this.attempt++;
  }

  private setState(state: McpServerStatus['state']): void {
    if (state !== this.state) this.since = new Date().toISOString();
    this.state = state;
  }

  private asError(e: unknown): DomainError {
    return new DomainError(
      'UPSTREAM_UNAVAILABLE',
      `MCP server ${this.config.name}: ${this.describe(e)}`,
      { retryable: true },
    );
  }

  private describe(e: unknown): string {
    return this.scrub(e instanceof Error ? e.message : String(e)).slice(0, 500);
  }

  private scrub(text: string): string {
    return scrubValues(text, this.secrets);
  }
}
