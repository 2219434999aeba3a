import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, spansTenants, type Tools } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { createHash } from 'node:crypto';
import { auditOtherTenant } from '../tenancy/tenant-scope.js';
import { MemoryEmbedder } from './embeddings/memory-embedder.js';
import { MemoryMeaningSearch } from './embeddings/memory-meaning-search.js';
import { itemChanged, namespaceLabel } from './memory-audit.js';
import {
  checkReadable,
  editRefusal,
  forgettable,
  mayDelete,
  mayRead,
  type MemoryScope,
  ownerForWrite,
  scopeOf,
} from './memory-rights.js';
import { type MemoryQuery, MemoryRepository, type StoredMemory } from './memory.repository.js';

export interface PutMemory {
  namespace?: Tools.MemoryNamespace | undefined;
  content: string;
  metadata?: Record<string, unknown> | undefined;
  taskId?: string | undefined;
  idempotencyKey?: string | undefined;
}

/**
 * The memory store's operations — put, get, search, list, delete — each deciding in this service,
 * which owns the data, what the caller may do (memory-rights.ts). Used by the memory tools and by the
 * NATS commands (the planner's recall, the gateway's HTTP API). Anything the caller may not see is
 * answered as missing, so ids cannot be probed; each such attempt is audited (denied), in the
 * caller's tenant, naming only what the caller asked for.
 */
@Injectable()
export class MemoryStore {
  constructor(
    private readonly items: MemoryRepository,
    private readonly audit: AuditTrail,
    private readonly embedder: MemoryEmbedder,
    private readonly meaning: MemoryMeaningSearch,
  ) {}

  async put(actor: Actor, input: PutMemory): Promise<Tools.MemoryItem> {
    const scope = scopeOf(actor);
    const namespace = input.namespace ?? ownNamespace(scope);
    const ownerId = ownerForWrite(scope, namespace);
    // Without an answer from the embeddings endpoint the item is stored anyway, found by its words.
    const [vector] = (await this.embedder.embed([input.content])) ?? [];
    const model = this.embedder.model;
    const item = await this.items.put(scope, {
      embedding: vector && model ? { model, vector } : undefined,
      namespace,
      ownerId,
      content: input.content,
      metadata: input.metadata ?? {},
      writerTaskId: input.taskId ?? null,
      idempotencyKey: input.idempotencyKey,
    });
    return publicView(item);
  }

  async get(actor: Actor, id: string): Promise<Tools.MemoryItem> {
    const item = await this.visible(scopeOf(actor), id, 'memory.get');
    if (!item) throw new DomainError('NOT_FOUND', `memory item ${id} not found`);
    return publicView(item);
  }

  /** By meaning when an embeddings endpoint is configured and answers, else by words. */
  async search(actor: Actor, search: MemoryQuery): Promise<Tools.RecalledMemory[]> {
    const scope = scopeOf(actor);
    for (const ns of search.namespaces ?? []) this.readable(scope, ns, 'memory.search');
    const byMeaning = await this.meaning.search(scope, search);
    return byMeaning ?? this.items.search(scope, search);
  }

  async list(
    actor: Actor,
    namespace: Tools.MemoryNamespace | undefined,
    limit: number,
  ): Promise<Tools.MemoryItem[]> {
    const scope = scopeOf(actor);
    const ns = namespace ?? ownNamespace(scope);
    this.readable(scope, ns, 'memory.list');
    const items = await this.items.list(scope, ns, limit);
    return items.filter((i) => mayRead(scope, i.namespace, i.ownerId)).map(publicView);
  }

  /** Deletes one item; `deleted: false` when it was already gone (a repeated forget) or is not visible. */
  async delete(actor: Actor, id: string): Promise<{ id: string; deleted: boolean }> {
    const scope = scopeOf(actor);
    const item = await this.visible(scope, id, 'memory.forget');
    if (!item) return { id, deleted: false };
    if (!mayDelete(scope, item.namespace, item.ownerId)) {
      this.denied('memory.forget', id, 'needs_admin');
      throw new DomainError(
        'FORBIDDEN',
        `you may not delete memory item ${id}: needs the admin role`,
      );
    }
    const deleted = await this.items.delete(scope.tenantId, id);
    // What was forgotten, provably, without keeping it: the content's hash, never the content.
    if (deleted)
      void this.audit.record(
        itemChanged('memory.forget', item, { contentSha256: sha256(item.content) }),
      );
    return { id, deleted };
  }

  /**
   * The item the caller may edit (its namespace's write rights, memory-rights.ts), for the edit
   * (update-memory.use-case.ts): one the caller may not see is not found, as for a get, so ids
   * cannot be probed; one they see but may not write is refused. Both attempts are audited.
   */
  async editable(actor: Actor, id: string): Promise<StoredMemory> {
    const scope = scopeOf(actor);
    const item = await this.visible(scope, id, 'memory.update');
    if (!item) throw new DomainError('NOT_FOUND', `memory item ${id} not found (or not yours)`);
    const refusal = editRefusal(scope, item.namespace, item.ownerId);
    if (refusal) {
      const shared = item.namespace.kind === 'agent' || item.namespace.kind === 'tenant';
      this.denied('memory.update', id, shared ? 'needs_admin' : 'not_owner');
      throw new DomainError('FORBIDDEN', `you may not edit memory item ${id}: ${refusal}`);
    }
    return item;
  }

  /**
   * Forgets everything of one user in the caller's tenant: the user themself, or an admin of the
   * tenant. Audited with the count and the content hashes (never the content), and verified by
   * reading back that nothing of theirs is left.
   */
  async forgetUser(
    actor: Actor,
    userId: string,
  ): Promise<{ userId: string; deleted: number; verified: boolean }> {
    const scope = scopeOf(actor);
    if (userId !== scope.userId && !scope.admin) {
      this.denied('memory.forget-user', `user:${userId}`, 'needs_admin');
      throw new DomainError(
        'FORBIDDEN',
        `only ${userId} or an admin may forget ${userId}'s memory`,
      );
    }
    const { contents, remaining } = await this.items.forgetUser(scope.tenantId, userId);
    void this.audit.record({
      category: 'tool',
      action: 'memory.forget-user',
      outcome: remaining === 0 ? 'success' : 'failure',
      resource: `memory/user:${userId}`,
      details: {
        userId,
        deleted: contents.length,
        remaining,
        // The first thousand, so the record stays small; the count says how many there were.
        contentSha256: contents.slice(0, 1_000).map(sha256),
      },
    });
    return { userId, deleted: contents.length, verified: remaining === 0 };
  }

  /**
   * Forgets all of a tenant's memory, when the tenant is removed: the platform operator (for any
   * tenant) or an admin of the tenant. Audited like forgetting a user — counts and content hashes,
   * never content — and verified by reading back that no item of the tenant is left. The operator
   * learns how many items there were, never what they said.
   */
  async forgetTenant(
    actor: Actor,
    tenantId: string,
  ): Promise<{ tenantId: string; deleted: number; verified: boolean }> {
    const scope = scopeOf(actor);
    if (!spansTenants(actor) && !(scope.admin && scope.tenantId === tenantId)) {
      this.denied('memory.forget-tenant', `tenant:${tenantId}`, 'needs_operator');
      throw new DomainError(
        'FORBIDDEN',
        `only the platform operator or an admin of ${tenantId} may forget ${tenantId}'s memory`,
      );
    }
    const { deleted, contentSha256, remaining } = await this.items.forgetTenant(tenantId);
    void this.audit.record({
      category: 'tool',
      action: 'memory.forget-tenant',
      outcome: remaining === 0 ? 'success' : 'failure',
      resource: `memory/tenant:${tenantId}`,
      details: { tenantId, deleted, remaining, contentSha256 },
    });
    return { tenantId, deleted, verified: remaining === 0 };
  }

  /**
   * Forgets one namespace of the caller's tenant, as far as the caller may (memory-rights.ts,
   * `forgettable`): refused attempts are audited as denied. Audited like forgetting a user — counts
   * and content hashes, never content — and verified by reading back; answers the deleted ids, for
   * the run records that recalled them.
   */
  async forgetNamespace(
    actor: Actor,
    namespace: Tools.MemoryNamespace,
  ): Promise<{
    namespace: Tools.MemoryNamespace;
    deleted: number;
    verified: boolean;
    ids: string[];
  }> {
    const scope = scopeOf(actor);
    const what = namespaceLabel(namespace);
    let ownerId: string | undefined;
    try {
      ({ ownerId } = forgettable(scope, namespace));
    } catch (e) {
      this.denied('memory.forget-namespace', what, 'not_owner');
      throw e;
    }
    const gone = await this.items.forgetNamespace(scope.tenantId, namespace, ownerId);
    void this.audit.record({
      category: 'tool',
      action: 'memory.forget-namespace',
      outcome: gone.remaining === 0 ? 'success' : 'failure',
      resource: `memory/${what}`,
      details: {
        namespace: what,
        // a thread forgotten by its user: only their items in it
        ...(ownerId !== undefined ? { ownerId } : {}),
        deleted: gone.ids.length,
        remaining: gone.remaining,
        contentSha256: gone.contentSha256.slice(0, 1_000),
      },
    });
    return { namespace, deleted: gone.ids.length, verified: gone.remaining === 0, ids: gone.ids };
  }

  /** The tenant's item if the caller may read it; an attempt at any other is audited. */
  private async visible(
    scope: MemoryScope,
    id: string,
    action: string,
  ): Promise<StoredMemory | undefined> {
    const item = await this.items.find(scope.tenantId, id);
    if (item && mayRead(scope, item.namespace, item.ownerId)) return item;
    if (item) this.denied(action, id, 'not_owner');
    else if (await this.items.inOtherTenant(scope.tenantId, id))
      auditOtherTenant(this.audit, { category: 'tool', action, resource: `memory/${id}` });
    return undefined;
  }

  private readable(scope: MemoryScope, ns: Tools.MemoryNamespace, action: string): void {
    try {
      checkReadable(scope, ns);
    } catch (e) {
      this.denied(action, namespaceLabel(ns), 'not_owner');
      throw e;
    }
  }

  private denied(action: string, what: string, reason: string): void {
    void this.audit.record({
      category: 'tool',
      action,
      outcome: 'denied',
      resource: `memory/${what}`,
      details: { reason },
    });
  }
}

const ownNamespace = (scope: MemoryScope): Tools.MemoryNamespace => ({
  kind: 'user',
  key: scope.userId,
});

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const publicView = ({ ownerId: _owner, ...item }: StoredMemory): Tools.MemoryItem => item;
