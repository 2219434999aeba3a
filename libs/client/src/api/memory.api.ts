import { type CallOptions, pathOf, type Transport } from '../core/transport.js';
import type {
  MemoryChange,
  MemoryItem,
  MemoryItemForgotten,
  MemoryNamespaceForgotten,
  MemoryNamespaceKind,
  MemoryTenantForgotten,
  MemoryUserForgotten,
  RecalledMemory,
} from '../wire.js';

/** A namespace and how many items: the caller's own memory by default (docs/memory.md). */
export interface MemoryQuery {
  kind?: MemoryNamespaceKind;
  key?: string;
  limit?: number;
}

/** Long-term memory (docs/memory.md): list, search, edit and forget. */
export class MemoryApi {
  constructor(private readonly transport: Transport) {}

  /** A namespace's newest items (default: the caller's own, `user`). */
  list(query: MemoryQuery = {}, options: CallOptions = {}): Promise<{ items: MemoryItem[] }> {
    return this.transport.send('GET', 'memory', options, { query: { ...query } });
  }

  /** What the caller may read that matches `q`, best first (or in one namespace: `kind` and `key`). */
  search(
    q: string,
    query: MemoryQuery = {},
    options: CallOptions = {},
  ): Promise<{ items: RecalledMemory[] }> {
    return this.transport.send('GET', 'memory/search', options, { query: { q, ...query } });
  }

  /** Edits an item's content and/or metadata; answers it as edited. */
  update(id: string, change: MemoryChange, options: CallOptions = {}): Promise<MemoryItem> {
    return this.transport.send('PATCH', pathOf`memory/${id}`, options, { body: change });
  }

  /** Forgets one item, and what tasks' run records recalled of it. */
  forget(id: string, options: CallOptions = {}): Promise<MemoryItemForgotten> {
    return this.transport.send('DELETE', pathOf`memory/${id}`, options);
  }

  /** Forgets one namespace (a thread's: the caller's items in it). */
  forgetNamespace(
    kind: MemoryNamespaceKind,
    key: string,
    options: CallOptions = {},
  ): Promise<MemoryNamespaceForgotten> {
    return this.transport.send('DELETE', pathOf`memory/namespaces/${kind}/${key}`, options);
  }

  /** Forgets everything of a user ("forget me": yourself, or an admin). */
  forgetUser(userId: string, options: CallOptions = {}): Promise<MemoryUserForgotten> {
    return this.transport.send('DELETE', pathOf`memory/users/${userId}`, options);
  }

  /** Forgets all of a tenant's memory (the platform operator). */
  forgetTenant(tenantId: string, options: CallOptions = {}): Promise<MemoryTenantForgotten> {
    return this.transport.send('DELETE', pathOf`memory/tenants/${tenantId}`, options);
  }
}
