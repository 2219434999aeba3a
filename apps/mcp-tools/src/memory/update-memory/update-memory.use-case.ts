import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, type Tools } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { MemoryEmbedder } from '../embeddings/memory-embedder.js';
import { itemChanged } from '../memory-audit.js';
import { scopeOf } from '../memory-rights.js';
import { MemoryStore } from '../memory-store.service.js';
import { type MemoryEdit, MemoryRepository } from '../memory.repository.js';

/**
 * Edits one memory item (`sb.cmd.tools.memory.update`, `PATCH /memory/{id}`; docs/memory.md,
 * "Editing"): its content and/or metadata, with the rights of writing its namespace (MemoryStore
 * decides them). New content is searched for by its words and, with an embeddings endpoint, by its
 * meaning from the moment the edit commits; the old text is found by neither: the vector is replaced
 * in the same statement, or cleared when the new text could not be embedded (it is then found by its
 * words). Audited with the content's hashes before and after, never the content. Run records are
 * not touched: a recorded recall keeps what the task saw.
 */
@Injectable()
export class UpdateMemoryUseCase {
  constructor(
    private readonly audit: AuditTrail,
    private readonly embedder: MemoryEmbedder,
    private readonly items: MemoryRepository,
    private readonly store: MemoryStore,
  ) {}

  async execute(
    change: Tools.MemoryChange & { id: string },
    actor: Actor,
  ): Promise<Tools.MemoryItem> {
    const { id, content, metadata } = change;
    const item = await this.store.editable(actor, id);
    const edit: MemoryEdit = { content, metadata };
    if (content !== undefined) edit.embedding = await this.vectorOf(content);
    const done = await this.items.update(scopeOf(actor).tenantId, id, edit);
    // Deleted between the check and the edit: as gone as if it had never been.
    if (!done) throw new DomainError('NOT_FOUND', `memory item ${id} not found (or not yours)`);
    void this.audit.record(
      itemChanged('memory.update', item, {
        changed: [...(content !== undefined ? ['content'] : []), ...(metadata ? ['metadata'] : [])],
        contentSha256Before: done.before,
        contentSha256After: done.after,
      }),
    );
    const { ownerId: _owner, ...updated } = done.item;
    return updated;
  }

  /** The new content's vector, or null: a vector of the old text must not stay to be found by. */
  private async vectorOf(content: string): Promise<MemoryEdit['embedding']> {
    const [vector] = (await this.embedder.embed([content])) ?? [];
    const model = this.embedder.model;
    return vector && model ? { model, vector } : null;
  }
}
