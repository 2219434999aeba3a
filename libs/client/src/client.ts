import { AdminApi } from './api/admin.api.js';
import { AgentConfigsApi } from './api/agent-configs.api.js';
import { ApprovalsApi } from './api/approvals.api.js';
import { EvaluationsApi } from './api/evaluations.api.js';
import { CatalogApi } from './api/catalog.api.js';
import { MemoryApi } from './api/memory.api.js';
import { ReplaysApi } from './api/replays.api.js';
import { SchedulesApi } from './api/schedules.api.js';
import { TasksApi } from './api/tasks.api.js';
import { Thread } from './api/threads.api.js';
import { UsageApi } from './api/usage.api.js';
import { WebhooksApi } from './api/webhooks.api.js';
import type { ReconnectOptions } from './core/task-event.stream.js';
import { type CallOptions, type ClientOptions, type Query, Transport } from './core/transport.js';
import type { ConsoleConfig, Me, ThreadPolicy } from './wire.js';

export interface SwitchboardClientOptions extends ClientOptions {
  /** How task event streams resume after a dropped connection (each stream may say otherwise). */
  reconnect?: ReconnectOptions;
}

/**
 * The Switchboard gateway's HTTP API, typed: one object per route group. A program that needs only a
 * few groups can build them from a Transport instead (`new TasksApi(new Transport(options))`), and a
 * bundler leaves the rest out.
 */
export class SwitchboardClient {
  readonly transport: Transport;
  /** Run, stream, read, list, cancel, replay, fork and compare tasks. */
  readonly tasks: TasksApi;
  /** Replay batches. */
  readonly replays: ReplaysApi;
  /** Approvals and the tools' approval policies. */
  readonly approvals: ApprovalsApi;
  /** Tools, agents, presence and provider authorizations. */
  readonly catalog: CatalogApi;
  /** Long-term memory. */
  readonly memory: MemoryApi;
  /** Scheduled tasks. */
  readonly schedules: SchedulesApi;
  /** Agent versions, labels, canaries and the tenant's default agent. */
  readonly agentConfigs: AgentConfigsApi;
  /** Datasets, a task's scores and experiments. */
  readonly evaluations: EvaluationsApi;
  /** Webhook subscriptions, secrets and deliveries. */
  readonly webhooks: WebhooksApi;
  /** Usage and quotas. */
  readonly usage: UsageApi;
  /** The audit trail, live traffic and the services (admins). */
  readonly admin: AdminApi;

  constructor(options: SwitchboardClientOptions) {
    this.transport = new Transport(options);
    this.tasks = new TasksApi(this.transport, options.reconnect);
    this.replays = new ReplaysApi(this.transport);
    this.approvals = new ApprovalsApi(this.transport);
    this.catalog = new CatalogApi(this.transport);
    this.memory = new MemoryApi(this.transport);
    this.schedules = new SchedulesApi(this.transport);
    this.agentConfigs = new AgentConfigsApi(this.transport);
    this.evaluations = new EvaluationsApi(this.transport);
    this.webhooks = new WebhooksApi(this.transport);
    this.usage = new UsageApi(this.transport);
    this.admin = new AdminApi(this.transport);
  }

  /** A conversation: its messages run one at a time, under `policy` when the thread is busy. */
  thread(id: string, policy?: ThreadPolicy): Thread {
    return new Thread(this.tasks, id, policy);
  }

  /** Who the gateway takes the caller for. */
  me(options: CallOptions = {}): Promise<Me> {
    return this.transport.json({ method: 'GET', path: 'me', ...options });
  }

  /** How the gateway authenticates (public: `GET /console/config.json`). */
  consoleConfig(options: CallOptions = {}): Promise<ConsoleConfig> {
    return this.transport.json({ method: 'GET', path: 'console/config.json', ...options });
  }

  /** Whether the gateway's process answers (`GET /health`, liveness). */
  async alive(options: CallOptions = {}): Promise<boolean> {
    await this.transport.json({ method: 'GET', path: 'health', ...options });
    return true;
  }

  /** The gateway's OpenAPI document (`GET /openapi.json`): every route, generated from its schemas. */
  openapi(options: CallOptions = {}): Promise<{ openapi: string; paths: Record<string, unknown> }> {
    return this.transport.json({ method: 'GET', path: 'openapi.json', ...options });
  }

  /** Whether the gateway is ready (`GET /readiness`: NATS, JetStream and Redis); false on 503. */
  async ready(options: CallOptions = {}): Promise<boolean> {
    try {
      await this.transport.json({ method: 'GET', path: 'readiness', ...options });
      return true;
    } catch (e) {
      if ((e as { status?: number }).status === 503) return false;
      throw e;
    }
  }

  /** The absolute URL of an API path, for a protocol client (AG-UI `ag-ui`, MCP `mcp`, A2A `a2a`). */
  url(path: string, query?: Query): string {
    return this.transport.url(path, query);
  }

  /** The headers that authenticate a request now, for a protocol client that sends its own. */
  headers(): Promise<Record<string, string>> {
    return this.transport.headers();
  }
}
