import type { Api } from './http.client';
import type {
  ItemForgotten,
  MemoryChange,
  MemoryItem,
  Namespace,
  RecalledMemory,
  UserForgotten,
} from '../model/memory';

/** A namespace's newest items (`GET /memory`); mcp-tools refuses one the user may not read (403). */
export async function listMemory(
  api: Api,
  ns: Namespace,
  signal?: AbortSignal,
): Promise<MemoryItem[]> {
  return (await api.get<{ items: MemoryItem[] }>('memory', { ...ns, limit: 100 }, signal)).items;
}

/** What the user may read that matches `q`, best first (`GET /memory/search`). */
export async function searchMemory(api: Api, q: string): Promise<RecalledMemory[]> {
  return (await api.get<{ items: RecalledMemory[] }>('memory/search', { q, limit: 50 })).items;
}

/** Edits one item's content and/or metadata (`PATCH /memory/{id}`); answers the item as edited. */
export function updateItem(api: Api, id: string, change: MemoryChange): Promise<MemoryItem> {
  return api.patch<MemoryItem>(`memory/${encodeURIComponent(id)}`, change);
}

/** Forgets one item, and what tasks' run records recalled of it (`DELETE /memory/{id}`). */
export function forgetItem(api: Api, id: string): Promise<ItemForgotten> {
  return api.delete<ItemForgotten>(`memory/${encodeURIComponent(id)}`);
}

/** Forgets everything of one user (`DELETE /memory/users/{userId}`): "Forget me". */
export function forgetUser(api: Api, userId: string): Promise<UserForgotten> {
  return api.delete<UserForgotten>(`memory/users/${encodeURIComponent(userId)}`);
}
