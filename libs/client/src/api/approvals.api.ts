import { type CallOptions, pathOf, type Transport } from '../core/transport.js';
import type {
  ApprovalDecision,
  ApprovalPolicy,
  ApprovalPolicyEntry,
  ApprovalPolicyState,
  ApprovalStatus,
  ApprovalView,
} from '../wire.js';

/** Which approvals (`status`, default `pending`; `limit` 1–200, default 50). */
export interface ApprovalQuery {
  status?: ApprovalStatus;
  limit?: number;
}

/**
 * Approvals (docs/approvals.md): the calls that wait for a person's decision, and the decisions; the
 * tools' approval policies (admins).
 */
export class ApprovalsApi {
  constructor(private readonly transport: Transport) {}

  /** The approvals the caller may decide (their tasks', their role's, naming them; admins: all). */
  list(
    query: ApprovalQuery = {},
    options: CallOptions = {},
  ): Promise<{ approvals: ApprovalView[] }> {
    return this.transport.send('GET', 'approvals', options, { query: { ...query } });
  }

  /** One task's approvals of a status (its owner, its approvers and admins see them). */
  ofTask(
    taskId: string,
    query: ApprovalQuery = {},
    options: CallOptions = {},
  ): Promise<{ approvals: ApprovalView[] }> {
    return this.transport.send('GET', pathOf`tasks/${taskId}/approvals`, options, {
      query: { ...query },
    });
  }

  /**
   * Approves (optionally with edited arguments) or rejects a held call; answers the approval as
   * decided. Sent once: deciding again answers 409 CONFLICT.
   */
  decide(
    taskId: string,
    approvalId: string,
    decision: ApprovalDecision,
    options: CallOptions = {},
  ): Promise<ApprovalView> {
    return this.transport.send('POST', pathOf`tasks/${taskId}/approvals/${approvalId}`, options, {
      body: decision,
    });
  }

  /** Every tool whose calls need approval, with its effective policy and its source (admins). */
  policies(options: CallOptions = {}): Promise<{ policies: ApprovalPolicyEntry[] }> {
    return this.transport.send('GET', 'approval-policies', options);
  }

  /** Sets a tool's policy override, or removes it with `null` (admins); answers the effective policy. */
  setPolicy(
    tool: string,
    policy: ApprovalPolicy | null,
    options: CallOptions = {},
  ): Promise<ApprovalPolicyState> {
    return this.transport.send('PUT', pathOf`approval-policies/${tool}`, options, {
      body: { policy },
    });
  }
}
