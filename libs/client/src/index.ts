// @switchboard/client: a typed client of the Switchboard gateway's HTTP API, for Node 20+ and
// browsers (fetch and web streams; no dependency). README.md says how to use it.
export { SwitchboardClient, type SwitchboardClientOptions } from './client.js';
export { AdminApi, type AuditQuery, type LiveFrame, type LiveQuery } from './api/admin.api.js';
export { AgentConfigsApi } from './api/agent-configs.api.js';
export { ApprovalsApi, type ApprovalQuery } from './api/approvals.api.js';
export { CatalogApi, type ToolsQuery } from './api/catalog.api.js';
export { EvaluationsApi } from './api/evaluations.api.js';
export { MemoryApi, type MemoryQuery } from './api/memory.api.js';
export { ReplaysApi } from './api/replays.api.js';
export { SchedulesApi } from './api/schedules.api.js';
export { isTaskView, type StreamOptions, type TaskListQuery, TasksApi } from './api/tasks.api.js';
export { Thread, type ThreadMessage } from './api/threads.api.js';
export { UsageApi } from './api/usage.api.js';
export { type DeliveryQuery, WebhooksApi } from './api/webhooks.api.js';
export type { AuthOptions, DevIdentity, TokenSource } from './core/auth.js';
export {
  ApiError,
  type CallSite,
  ConnectionError,
  isSwitchboardError,
  RateLimitedError,
  RequestTimeoutError,
  StreamInterruptedError,
  SwitchboardError,
  type SwitchboardErrorCode,
  TaskFailedError,
  ValidationError,
} from './core/errors.js';
export {
  isTerminalEvent,
  type ReconnectOptions,
  TaskEventStream,
} from './core/task-event.stream.js';
export type { HttpMethod, RetryOptions } from './core/retry.policy.js';
export { readSse, SseParser, type SseMessage } from './core/sse.parser.js';
export {
  type CallLog,
  type CallOptions,
  type ClientOptions,
  type Query,
  type QueryValue,
  type RequestSpec,
  Transport,
} from './core/transport.js';
export type * from './wire.js';
export type { TaskEventOf } from './events.types.js';
