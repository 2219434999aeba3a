import type { Api } from './http.client';
import type { PolicyBody, PolicyEntry, PolicyState } from '../model/approval-policies';

/** Every tool whose calls need approval, with its effective policy and its source (admins). */
export async function listApprovalPolicies(api: Api, signal?: AbortSignal): Promise<PolicyEntry[]> {
  const list = await api.get<{ policies: PolicyEntry[] }>('approval-policies', {}, signal);
  return list.policies;
}

/**
 * Sets a tool's override (`PUT /approval-policies/{tool}`), or with `policy: null` removes it; resolves
 * with the tool's effective policy after the change. Rejects with the API's error: 400 naming the
 * field, 403 not an admin, 404 no such tool, 503 mcp-tools not running.
 */
export function setApprovalPolicy(api: Api, tool: string, body: PolicyBody): Promise<PolicyState> {
  return api.put<PolicyState>(`approval-policies/${encodeURIComponent(tool)}`, body);
}
