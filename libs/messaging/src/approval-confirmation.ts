import {
  Approvals,
  DomainError,
  isDomainError,
  type RequestOf,
  type ResponseOf,
} from '@switchboard/contracts';
import { isTransportFailure } from './messaging.errors.js';
import type { NatsBus } from './nats-bus.service.js';

/** The orchestrator's answers that mean "not approved for this" rather than "could not ask". */
const REFUSING_CODES = new Set(['FORBIDDEN', 'NOT_FOUND', 'VALIDATION', 'CONFLICT']);

/** What the orchestrator said of an approval: confirmed, or refused (and why, in its words). */
export type ApprovalConfirmation =
  | { confirmed: true; approval: ResponseOf<typeof Approvals.ApprovalVerify> }
  | { confirmed: false; why: string };

/** What was not done when the orchestrator could not be asked, for the error the caller gets. */
export interface UnconfirmedAction {
  /** e.g. `this call of notes.add` */
  what: string;
  /** e.g. `so it did not run` */
  consequence: string;
  details: Record<string, unknown>;
}

/**
 * Asks the orchestrator, which holds the decisions, to confirm an approval before a service acts under
 * it (mcp-tools before a tool call, a2a before a delegation). A refusal is returned for the caller to
 * word and audit; when the orchestrator cannot be asked (no responder, no reply in time) this throws
 * UPSTREAM_UNAVAILABLE, retryable — nothing was done —, and a failure of its own UPSTREAM_ERROR.
 */
export async function confirmApproval(
  bus: NatsBus,
  verify: RequestOf<typeof Approvals.ApprovalVerify>,
  action: UnconfirmedAction,
): Promise<ApprovalConfirmation> {
  try {
    return { confirmed: true, approval: await bus.request(Approvals.ApprovalVerify, verify) };
  } catch (e) {
    if (isDomainError(e) && !isTransportFailure(e) && REFUSING_CODES.has(e.code))
      return { confirmed: false, why: e.message };
    const transport = !isDomainError(e) || isTransportFailure(e) || e.retryable;
    const why = e instanceof Error ? e.message : String(e);
    throw new DomainError(
      transport ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_ERROR',
      `cannot confirm approval ${verify.approvalId} for ${action.what}, ${action.consequence}: ${why}`,
      { details: action.details, retryable: transport },
    );
  }
}

/**
 * confirmApproval for a caller that refuses in its own words: the approval the orchestrator confirmed,
 * else the error `refuse` makes of the orchestrator's reason (worded and audited by the caller, as
 * each service refuses differently), thrown. Could not ask: as confirmApproval.
 */
export async function requireApproval(
  bus: NatsBus,
  verify: RequestOf<typeof Approvals.ApprovalVerify>,
  action: UnconfirmedAction,
  refuse: (why: string) => Error,
): Promise<ResponseOf<typeof Approvals.ApprovalVerify>> {
  const answer = await confirmApproval(bus, verify, action);
  if (answer.confirmed) return answer.approval;
  throw refuse(answer.why);
}
