import { z } from 'zod';
import { ApprovalId } from '../approval/approval.schemas.js';
import { TASK_TEXT_MAX, TaskId } from '../task/task.schemas.js';
import { lowercaseName } from '../text.schemas.js';

/** A configured agent's name: what plans and policies refer to (e.g. `researcher`). */
export const AgentName = lowercaseName(64);
export type AgentName = z.infer<typeof AgentName>;

/** How HTTP reaches an agent: through the XMPP bridge when its host is in SERVICE_MAP, else directly. */
export const AgentTransport = z.enum(['http', 'xmpp']);
export type AgentTransport = z.infer<typeof AgentTransport>;

/**
 * An A2A TaskState as its v1.0 wire name (`TASK_STATE_WORKING`, …). Open string: a newer peer may send a
 * state this platform does not know yet, and it is reported rather than rejected.
 */
export const RemoteTaskState = z.string().min(1).max(64);

/** The terminal (and interrupted) states after which a delegation is over. */
export const FINAL_REMOTE_STATES = [
  'TASK_STATE_COMPLETED',
  'TASK_STATE_FAILED',
  'TASK_STATE_CANCELED',
  'TASK_STATE_REJECTED',
  'TASK_STATE_INPUT_REQUIRED',
  'TASK_STATE_AUTH_REQUIRED',
] as const;

/** One part of an artifact, as A2A 1.0 wire JSON (exactly one of text/data/url/raw). */
export const ArtifactPart = z
  .object({
    text: z.string().optional(),
    data: z.unknown().optional(),
    url: z.string().optional(),
    raw: z.string().optional(),
    mediaType: z.string().optional(),
    filename: z.string().optional(),
  })
  .strict();

export const DelegatedArtifact = z
  .object({
    artifactId: z.string(),
    name: z.string().optional(),
    description: z.string().optional(),
    parts: z.array(ArtifactPart),
  })
  .strict();
export type DelegatedArtifact = z.infer<typeof DelegatedArtifact>;

/**
 * `stream`: SendStreamingMessage. `poll`: SendMessage (returnImmediately), then GetTask until final.
 * `push`: SendMessage (returnImmediately) with a push notification config, then GetTask each time the
 * agent notifies (no stream held, no polling between notifications but a slow safety poll).
 */
export const DelegationMode = z.enum(['stream', 'poll', 'push']);
export type DelegationMode = z.infer<typeof DelegationMode>;

const StepId = z.string().min(1).max(64);
export const DelegationId = z.string().uuid();

/** The decided approval a delegation to an agent with an approval policy runs under. */
export const DelegationApproval = z
  .object({
    id: ApprovalId,
    /** sha256 (hex) of the canonical JSON of `{target: agent, input: delegationApprovalArgs(...)}`. */
    argsHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
  })
  .strict();
export type DelegationApproval = z.infer<typeof DelegationApproval>;

/**
 * A delegation that answers the agent's question: the reply goes as a message on the agent's task
 * that stopped in TASK_STATE_INPUT_REQUIRED, and that task is driven on (no new remote task).
 */
export const DelegationContinue = z
  .object({
    remoteTaskId: z.string().min(1).max(512),
    /** Optional: the agent's task knows its context (A2A continues a task by its id). */
    contextId: z.string().min(1).max(512).optional(),
    reply: z
      .string()
      .max(TASK_TEXT_MAX)
      .refine((s) => s.trim().length > 0, 'must not be empty'),
  })
  .strict();
export type DelegationContinue = z.infer<typeof DelegationContinue>;

/**
 * The arguments an approval of a delegation may cover (its `argsHash` is computed over one of them):
 * the message and, when there is one, the context, exactly as the agent receives them — the
 * orchestrator's gate hashes a delegation's planned input, which the planners write in this shape
 * (`{message, context?}`). For a continuation, what a person approved as the answer to the agent's
 * question: the reply on the agent's task (`{remoteTaskId, reply}`, the approval's input), or the reply
 * alone when the approver wrote only that (`{reply}`). Either binds exactly what is sent.
 */
export function delegationApprovalArgs(
  request: Pick<DelegateRequest, 'message' | 'context' | 'continue'>,
): Record<string, unknown>[] {
  const answer = request.continue;
  if (answer)
    return [{ remoteTaskId: answer.remoteTaskId, reply: answer.reply }, { reply: answer.reply }];
  return [
    {
      message: request.message,
      ...(request.context !== undefined ? { context: request.context } : {}),
    },
  ];
}

export const DelegateRequest = z
  .object({
    /** Chosen by the caller; names the progress subject and the cancel subject of this delegation. */
    delegationId: DelegationId,
    taskId: TaskId,
    stepId: StepId,
    agent: AgentName,
    message: z
      .string()
      .max(TASK_TEXT_MAX)
      .refine((s) => s.trim().length > 0, 'must not be empty'),
    /** The previous step's result, handed to the agent as a data part `{ context }`. */
    context: z.string().max(32_000).optional(),
    /** Wall-time budget of the whole delegation (all attempts); capped by A2A_DELEGATION_TIMEOUT_MS. */
    timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
    /**
     * Makes a repeat harmless: a request with the key of a delegation still running is attached to it,
     * one that finished gets its outcome, and the agent is not asked twice (the orchestrator sends
     * `<taskId>:<stepId>`, with the same delegationId).
     */
    idempotencyKey: z.string().min(1).max(200).optional(),
    /**
     * The agent's task this delegation already started, when the caller knows it (a repeat after the
     * a2a replica that ran it was lost): it is followed, not sent again.
     */
    remoteTaskId: z.string().min(1).max(512).optional(),
    /**
     * The request may repeat an earlier one (the caller asks again, or resumed the task): the
     * delegation's recorded state is looked up before anything is sent to the agent.
     */
    repeat: z.boolean().optional(),
    /**
     * Required when the agent has an approval policy: the decided approval of exactly this delegation
     * (a2a confirms it with the orchestrator, `sb.cmd.orchestrator.approval.verify`).
     */
    approval: DelegationApproval.optional(),
    /** Answer the agent's question on its task instead of starting a new one. */
    continue: DelegationContinue.optional(),
  })
  .strict();
export type DelegateRequest = z.infer<typeof DelegateRequest>;

/** How a delegation ended. Failed/rejected/canceled remote tasks are results too (with their state). */
export const DelegationResult = z.object({
  delegationId: DelegationId,
  agent: AgentName,
  transport: AgentTransport,
  /** The A2A version spoken with the agent (`1.0`, or `0.3` for legacy agents). */
  protocolVersion: z.string(),
  mode: DelegationMode,
  state: RemoteTaskState,
  remoteTaskId: z.string().optional(),
  contextId: z.string().optional(),
  /**
   * The agent's answer as text: its artifacts' text parts, else its final status message. When the
   * agent asks for input (TASK_STATE_INPUT_REQUIRED) its question: the status message's text.
   */
  text: z.string(),
  artifacts: z.array(DelegatedArtifact),
  /** Attempts made (1 = no retry). */
  attempts: z.number().int().positive(),
  durationMs: z.number().nonnegative(),
});
export type DelegationResult = z.infer<typeof DelegationResult>;

/** Progress of a running delegation, published while it runs (see DelegationProgress). */
export const DelegationUpdate = z.discriminatedUnion('kind', [
  /** The agent was found, allowed and reachable; the remote call is being made. */
  z.object({
    kind: z.literal('started'),
    delegationId: DelegationId,
    agent: AgentName,
    transport: AgentTransport,
    protocolVersion: z.string(),
    mode: DelegationMode,
  }),
  /** The remote task changed state (A2A TaskStatusUpdateEvent, or a polled GetTask). */
  z.object({
    kind: z.literal('status'),
    delegationId: DelegationId,
    agent: AgentName,
    transport: AgentTransport,
    state: RemoteTaskState,
    remoteTaskId: z.string().optional(),
    text: z.string().max(2_000).optional(),
  }),
  /** A transient failure; the call is retried after `delayMs`. */
  z.object({
    kind: z.literal('retry'),
    delegationId: DelegationId,
    agent: AgentName,
    transport: AgentTransport,
    attempt: z.number().int().positive(),
    delayMs: z.number().nonnegative(),
    reason: z.string().max(500),
  }),
]);
export type DelegationUpdate = z.infer<typeof DelegationUpdate>;
