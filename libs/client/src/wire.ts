// The API's wire types: what the gateway takes and answers, taken from the contracts the services use
// (libs/contracts) — never copied. Types only: the client's JavaScript imports nothing from contracts
// (a lint rule keeps it so). The published declarations hold these types written out in full
// (scripts/inline-wire-types.mjs), so the package needs no other part of the repository.
import type {
  A2a,
  Agents,
  Approvals,
  Audit,
  ErrorCode as ContractErrorCode,
  Evaluations,
  Gateway,
  Issue as ContractIssue,
  Schedules,
  Tasks,
  Tenancy,
  Tools,
  Webhooks,
} from '@switchboard/contracts';
import type { z } from 'zod';

// ---- errors
/** The platform's error codes (docs/api.md, "Errors"). */
export type ErrorCode = ContractErrorCode;
/** The error envelope's codes: the platform's, and UNSUPPORTED_MEDIA_TYPE of the HTTP edge. */
export type HttpErrorCode = Gateway.HttpErrorCode;
/** The gateway's one JSON error body. */
export type ErrorEnvelope = Gateway.ErrorEnvelope;
/** One refused field of a VALIDATION error: where (`path`, dotted) and why. */
export type Issue = ContractIssue;

// ---- tasks
/** The body of `POST /orchestrate` and `/orchestrate/stream`: the task and how to run it. */
export type TaskRequest = z.input<typeof Tasks.TaskRequest>;
/** Which tools a task may use. */
export type ToolConstraints = Tasks.ToolConstraints;
/** What a message to a busy thread does (docs/api.md, "Threads"). */
export type ThreadPolicy = Tasks.ThreadPolicy;
/** A task's status as the API names it. */
export type TaskStatus = Tasks.TaskStatus;
/** One event of a task (named SSE `event:`, `id:` its seq). */
export type TaskEvent = Tasks.TaskEvent;
/** The names of the task events. */
export type TaskEventName = Tasks.TaskEventName;
/** `GET /tasks/{id}`: a task as stored, with its steps, origin, verdict and runs. */
export type TaskView = Tasks.TaskView;
/** `GET /tasks`: one page of tasks, newest first. */
export type TaskListResponse = Tasks.TaskListResponse;
/** One row of the task list. */
export type TaskSummary = Tasks.TaskSummary;
/** The 200 of `POST /orchestrate`: the completed task. */
export type TaskAnswer = Gateway.TaskAnswer;
/** The 202 of `POST /orchestrate?async=true`. */
export type TaskAccepted = Gateway.TaskAccepted;
/** The 202 of `POST /orchestrate` for a task that waits for a person's decision. */
export type TaskWaitingAnswer = Gateway.TaskWaitingAnswer;
/** `GET /tasks/{id}` before an orchestrator has the task. */
export type QueuedTaskView = Gateway.QueuedTaskView;
/** The answer of `POST /tasks/{id}/cancel`. */
export type CancelAccepted = Gateway.CancelAccepted;

// ---- replay, fork, diff, batches
/** The body of `POST /tasks/{id}/fork` (exactly one of `from_step` and `from_round`). */
export type ForkRequest = z.input<typeof Tasks.ForkRequestBody>;
/** Where a fork goes live. */
export type ForkPoint = Tasks.ForkPoint;
/** The answer of `POST /tasks/{id}/replay` and `/fork`: the new task. */
export type RunAccepted = Gateway.RunAccepted;
/** `GET /tasks/{a}/diff/{b}`: where two runs differ. */
export type TaskDiffView = Tasks.TaskDiffView;
/** The body of `POST /replays`: which tasks, what changes, how many at once, the budget. */
export type ReplayBatchRequest = z.input<typeof Tasks.ReplayBatchBody>;
/** A replay batch, each task against its original. */
export type ReplayBatchView = Tasks.ReplayBatchView;
/** One batch of `GET /replays`. */
export type ReplayBatchSummary = Tasks.ReplayBatchSummary;

// ---- approvals
/** An approval: the held call, who may decide, and its decision. */
export type ApprovalView = Approvals.ApprovalView;
/** An approval's status. */
export type ApprovalStatus = Approvals.ApprovalStatus;
/** The body of `POST /tasks/{id}/approvals/{approvalId}`: approve (maybe with edited input) or reject. */
export type ApprovalDecision = z.input<typeof Approvals.ApprovalDecisionBody>;
/** A tool's approval policy. */
export type ApprovalPolicy = z.input<typeof Approvals.ApprovalPolicy>;
/** One tool's effective policy, as `GET /approval-policies` lists it. */
export type ApprovalPolicyEntry = Tools.ApprovalPolicyEntry;
/** A tool's policy after `PUT /approval-policies/{tool}`. */
export type ApprovalPolicyState = Tools.ApprovalPolicyState;

// ---- tools, agents, authorizations
/** `GET /tools`: the caller's tool manifest. */
export type Manifest = Tools.Manifest;
/** One tool of a manifest. */
export type ManifestTool = Tools.ManifestTool;
export type ToolSearchResult = Tools.ToolSearchResult;
/** One remote agent the caller may delegate to. */
export type AgentSummary = A2a.AgentSummary;
/** `GET /agents/presence`. */
export type AgentPresence = Gateway.AgentPresence;
/** `GET /authorizations`: a user's provider authorizations. */
export type AuthorizationsList = z.infer<typeof Tools.AuthorizationsList.response>;
/** `PUT /authorizations/{userId}/{provider}`. */
export type AuthorizationGranted = z.infer<typeof Tools.AuthorizationGrant.response>;
/** `DELETE /authorizations/{userId}/{provider}`. */
export type AuthorizationRevoked = z.infer<typeof Tools.AuthorizationRevoke.response>;

// ---- memory
/** A memory namespace's kind. */
export type MemoryNamespaceKind = Tools.MemoryNamespaceKind;
/** A memory namespace (`{kind, key}`). */
export type MemoryNamespace = Tools.MemoryNamespace;
/** One item of long-term memory. */
export type MemoryItem = Tools.MemoryItem;
/** One item a search found, with its score. */
export type RecalledMemory = Tools.RecalledMemory;
/** The body of `PATCH /memory/{id}`: new content, new metadata, or both. */
export type MemoryChange = z.input<typeof Tools.MemoryChange>;
/** `DELETE /memory/{id}`. */
export type MemoryItemForgotten = Gateway.MemoryItemForgotten;
/** `DELETE /memory/users/{userId}`. */
export type MemoryUserForgotten = Gateway.MemoryUserForgotten;
/** `DELETE /memory/tenants/{tenantId}`. */
export type MemoryTenantForgotten = Gateway.MemoryTenantForgotten;
/** `DELETE /memory/namespaces/{kind}/{key}`. */
export type MemoryNamespaceForgotten = Gateway.MemoryNamespaceForgotten;

// ---- schedules
/** The body of `POST /schedules`. */
export type ScheduleRequest = Schedules.ScheduleCreateInput;
/** A schedule. */
export type ScheduleView = Schedules.ScheduleView;
/** One firing of a schedule. */
export type ScheduleFiringView = Schedules.ScheduleFiringView;
/** `DELETE /schedules/{id}`. */
export type ScheduleDeleted = Gateway.ScheduleDeleted;

// ---- webhooks
/** The body of `POST /webhooks`. */
export type WebhookRequest = Webhooks.WebhookCreateInput;
/** A webhook subscription. */
export type WebhookView = Webhooks.WebhookView;
/** `POST /webhooks`: the subscription and its secret (shown once). */
export type WebhookCreated = Webhooks.WebhookCreated;
/** A signing secret. */
export type WebhookSecret = Webhooks.WebhookSecret;
/** One delivery of a webhook. */
export type WebhookDeliveryView = Webhooks.WebhookDeliveryView;
/** A delivery's status (`dead`: a dead letter). */
export type WebhookDeliveryStatus = Webhooks.WebhookDeliveryStatus;
/** `DELETE /webhooks/{id}`. */
export type WebhookDeleted = Gateway.WebhookDeleted;

// ---- usage and quotas
/** `GET /usage`: a tenant's counters today and its quota. */
export type TenantUsage = Tenancy.TenantUsage;
/** A tenant's quota, as `PUT /tenants/{tenant}/quotas` takes it. */
export type TenantQuota = z.input<typeof Tenancy.TenantQuota>;
/** The quota that applies to a tenant, and where it comes from. */
export type TenantQuotaView = Tenancy.TenantQuotaView;
/** A quota refusal's particulars (the `details` of a RATE_LIMITED or BUDGET_EXCEEDED). */
export type QuotaExceeded = Tenancy.QuotaExceeded;

// ---- agent versions (docs/agents.md)
/** An agent: its latest version, its labels (with a canary's split), whether it is the default. */
export type AgentView = Agents.AgentView;
/** One immutable version of an agent. */
export type AgentVersionView = Agents.AgentVersionView;
/** What changed between two versions of an agent. */
export type AgentVersionDiff = Agents.AgentVersionDiff;
/** Where a label points, and its canary. */
export type AgentLabelView = Agents.AgentLabelView;
/** A label moved. */
export type AgentLabelMoved = Agents.AgentLabelMoved;
/** The tenant's default agent after a change. */
export type AgentDefaultView = Agents.AgentDefaultView;
/** The version stamp a task carries. */
export type AgentStamp = Agents.AgentStamp;

// ---- evaluations (docs/evaluations.md)
/** The body of `POST /datasets`: a name, and optionally a rule that adds tasks as they end. */
export type DatasetCreateRequest = z.input<typeof Evaluations.DatasetCreateBody>;
/** A dataset with its items. */
export type DatasetView = Evaluations.DatasetView;
/** A dataset in `GET /datasets` (without its items). */
export type DatasetSummary = Omit<Evaluations.DatasetView, 'items'>;
/** One item to add to a dataset: a recorded task, its step, its expectations. */
export type DatasetItemInput = Evaluations.DatasetItemInput;
/** The rule of a dataset: which ended tasks it adds, and what share. */
export type DatasetRule = Evaluations.DatasetRule;
/** A score of a task: name, value, source, scorer version. */
export type ScoreView = Evaluations.ScoreView;
/** The body of `POST /tasks/{id}/scores`. */
export type HumanScoreRequest = Evaluations.HumanScoreBody;
/** A scorer of an experiment or a scoring rule. */
export type ScorerSpec = z.input<typeof Evaluations.ScorerSpec>;
/** The body of `POST /experiments`. */
export type ExperimentRequest = z.input<typeof Evaluations.ExperimentBody>;
/** An experiment with its items, aggregates and pairwise comparison. */
export type ExperimentView = Evaluations.ExperimentView;
/** An experiment in `GET /experiments`. */
export type ExperimentSummary = Evaluations.ExperimentSummary;

// ---- admin and operations
/** `GET /audit`: one page of the audit trail. */
export type AuditQueryResponse = Audit.AuditQueryResponse;
/** One audit row. */
export type AuditEntry = Audit.AuditEntry;
/** `GET /audit/verify`: the hash chain checked. */
export type AuditVerifyResponse = Audit.AuditVerifyResponse;
/** An audit category. */
export type AuditCategory = Audit.AuditCategory;
/** An audit outcome. */
export type AuditOutcome = Audit.AuditOutcome;
/** `GET /me`: who the gateway takes the caller for. */
export type Me = Gateway.Me;
/** How a gateway authenticates. */
export type AuthMode = Gateway.AuthMode;
/** `GET /console/config.json`. */
export type ConsoleConfig = Gateway.ConsoleConfig;
/** One service of `GET /services`. */
export type ServiceHealth = Gateway.ServiceHealth;
/** One frame of `GET /live`. */
export type LiveMessage = Gateway.LiveMessage;
/** A `GET /live` viewer's `ready` and `status` events: what it can see. */
export type LiveStatus = Gateway.LiveStatus;
