import { z } from 'zod';
import { NoArguments } from '../request.schemas.js';
import { ApprovalPolicy } from '../approval/approval.schemas.js';
import { defineCommand, defineEvent, defineQuery, type DomainContracts } from '../define.js';
import { ErrorBody } from '../errors.js';
import { DelegationStateStream } from '../streams.js';
import {
  AgentName,
  AgentTransport,
  DelegateRequest,
  DelegationId,
  DelegationResult,
  DelegationUpdate,
} from './a2a.schemas.js';
import { TenantId } from '../identity.schemas.js';
import { TaskId } from '../task/task.schemas.js';

/** A remote agent as the platform knows it (from its agent card). */
export const AgentSummary = z.object({
  name: z.string(),
  description: z.string(),
  baseUrl: z.string().url(),
  /** How HTTP reaches it: through the XMPP bridge when its host is in SERVICE_MAP, else directly. */
  transport: AgentTransport,
  protocolVersion: z.string().optional(),
  skills: z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })),
  available: z.boolean(),
  card: z.record(z.string(), z.unknown()).optional(),
  /** Circuit breaker state of the agent: `open` refuses delegations until it half-opens. */
  circuit: z.enum(['closed', 'open', 'half-open']).optional(),
  /** Why the agent is unavailable (card unreachable, circuit open), when it is. */
  problem: z.string().optional(),
  /** A person decides each delegation to it first (A2A_AGENTS); a2a refuses one without approval. */
  approval: ApprovalPolicy.optional(),
});
export type AgentSummary = z.infer<typeof AgentSummary>;

export const AgentsList = defineQuery({
  subject: 'sb.cmd.a2a.agents.list',
  callers: ['gateway', 'orchestrator'],
  request: NoArguments,
  response: z.object({ agents: z.array(AgentSummary) }),
  description:
    'The remote agents the acting user may delegate to (per-role policy applied), from their cached cards.',
});

export const Delegate = defineCommand({
  subject: 'sb.cmd.a2a.delegate',
  callers: ['orchestrator'],
  request: DelegateRequest,
  response: DelegationResult,
  timeoutMs: 300_000,
  idempotency: 'keyed',
  liveness: 'heartbeat',
  description:
    "Hands a message to a remote agent (A2A SendStreamingMessage, or SendMessage then GetTask), retrying transient failures behind a per-agent circuit breaker, and answers with the remote task's outcome. Progress goes out on sb.evt.a2a.delegation.<delegationId>. With an idempotencyKey a repeat is attached to the running delegation (or gets its outcome) instead of asking the agent again; with a remoteTaskId an unknown delegation follows that task. FORBIDDEN when the actor's role may not use the agent, or when the agent has an approval policy and the request carries no approval confirmed by the orchestrator for exactly this agent and these arguments (`details.reason`); with `continue` the reply goes on the agent's task that asked for input; NOT_FOUND for an unknown agent; UPSTREAM_UNAVAILABLE when the circuit is open.",
});

export const DelegationProgress = defineEvent({
  template: 'sb.evt.a2a.delegation.{delegationId}',
  tokens: ['delegationId'],
  payload: DelegationUpdate,
  delivery: 'at-most-once',
  producers: ['a2a'],
  consumers: ['orchestrator'],
  description:
    'Progress of one delegation while the Delegate request runs (started, remote status changes, retries). The caller subscribes before requesting; the reply follows the last update. (Whether the a2a service is still at work shows in the heartbeats of the Delegate request itself.)',
});

export const DelegationCancel = defineEvent({
  template: 'sb.ctl.a2a.delegation.{delegationId}.cancel',
  tokens: ['delegationId'],
  payload: z.object({ delegationId: z.string().uuid(), reason: z.string().max(500) }),
  delivery: 'at-most-once',
  producers: ['orchestrator'],
  consumers: ['a2a'],
  description:
    'Broadcast to every a2a replica: the one running the delegation stops it and sends the agent CancelTask (also done for every delegation of a task on sb.ctl.task.<taskId>.cancel).',
});

/**
 * A remote agent's push notification about the task of a delegation, as the gateway received it on
 * its public callback (`POST /a2a/notifications/{delegationId}`). Only the a2a replica running the
 * delegation subscribes to its subject (no queue group), so nobody answers for a delegation that is
 * not running (NOT_FOUND at the gateway). The token itself never travels: its sha256.
 */
export const DelegationNotified = defineCommand({
  subject: 'sb.cmd.a2a.delegation.notified.{delegationId}',
  tokenOf: (r: { delegationId: string }) => r.delegationId,
  callers: ['gateway'],
  responder: 'waiter',
  request: z
    .object({
      delegationId: DelegationId,
      /** sha256 (hex) of the notification's `X-A2A-Notification-Token`. */
      tokenHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
      /** The agent's task the notification names, when it names one. */
      remoteTaskId: z.string().min(1).max(512).optional(),
    })
    .strict(),
  response: z.object({ accepted: z.literal(true) }).strict(),
  idempotency: 'idempotent',
  description:
    "A remote agent notified the platform about the task of a delegation that runs in push mode: the replica running it checks the per-delegation token (UNAUTHORIZED) and the task (FORBIDDEN), then reads the task with GetTask. Served only by that replica, on the delegation's own subject; no responders when it is not running.",
});

export type DelegationNotifiedRequest = z.infer<typeof DelegationNotified.request>;

/** Where one delegation stands, as the a2a replica running it records it (DelegationState). */
export const DelegationRecord = z
  .object({
    delegationId: DelegationId,
    taskId: TaskId,
    /** The acting user: a repeat from anyone else is refused. */
    userId: z.string().min(1).max(128),
    /**
     * The acting user's tenant: a repeat from another tenant finds nothing. Absent in records written
     * before tenants, which are the default tenant's.
     */
    tenantId: TenantId.optional(),
    agent: AgentName,
    /** The a2a replica running it (its instance id). */
    owner: z.string().min(1).max(200),
    state: z.enum(['running', 'finished']),
    remoteTaskId: z.string().min(1).max(512).optional(),
    result: DelegationResult.optional(),
    error: ErrorBody.optional(),
    /** When the record was written: a running one not renewed for a while was lost with its replica. */
    at: z.string().datetime(),
  })
  .strict();
export type DelegationRecord = z.infer<typeof DelegationRecord>;

export const DelegationState = defineEvent({
  template: 'sb.state.a2a.delegation.{delegationId}',
  tokens: ['delegationId'],
  payload: DelegationRecord,
  delivery: 'at-least-once',
  stream: DelegationStateStream,
  producers: ['a2a'],
  consumers: [],
  description:
    'The latest state of a delegation, written by the a2a replica running it: when it starts, every few seconds while it runs (with the agent task once known), and its outcome. Read (last message of the subject) by the replica that gets a repeat of the delegation; no consumer.',
});

/** Every a2a contract, for the catalogue. */
export const A2A_CONTRACTS: DomainContracts = {
  commands: [AgentsList, Delegate, DelegationNotified],
  events: [DelegationProgress, DelegationCancel, DelegationState],
};
