import type { Api } from './http.client';
import type { ApprovalDecisionBody, ApprovalView } from '../model/approvals';

/** The approvals the user may decide that wait for a decision (`GET /approvals?status=pending`). */
export async function pendingApprovals(api: Api, signal?: AbortSignal): Promise<ApprovalView[]> {
  const page = await api.get<{ approvals: ApprovalView[] }>(
    'approvals',
    { status: 'pending', limit: 200 },
    signal,
  );
  return page.approvals;
}

/**
 * Decides one approval (`POST /tasks/{id}/approvals/{approvalId}`); resolves with it as decided.
 * Rejects with the API's error: 403 not the user's to decide, 404 not visible to them, 409 decided
 * already, 400 edited arguments the tool's schema refuses (the message names the field).
 */
export function decideApproval(
  api: Api,
  call: { taskId: string; approvalId: string },
  body: ApprovalDecisionBody,
): Promise<ApprovalView> {
  return api.post<ApprovalView>(
    `tasks/${encodeURIComponent(call.taskId)}/approvals/${encodeURIComponent(call.approvalId)}`,
    body,
  );
}
