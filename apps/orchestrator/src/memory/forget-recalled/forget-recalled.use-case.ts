import { Injectable } from '@nestjs/common';
import {
  type Actor,
  DomainError,
  isAdmin,
  spansTenants,
  type Tasks,
  tenantOf,
} from '@switchboard/contracts';
import { RecallRecordsRepository, type RecallMatch } from './recall-records.repository.js';
import { ofUser, type RecordedRecall } from './recalled-redaction.js';

/**
 * Forgetting reaches run records (docs/memory.md): after mcp-tools deleted items from the store, what
 * tasks of the caller's tenant recalled of them is emptied in their records, then read back. The
 * orchestrator owns the records and decides itself: a user's everything only for that user or an
 * admin; items by id only those the caller could write (their own namespace, a thread item they
 * wrote, any for an admin). A replay of such a task says the recall was forgotten instead of
 * showing it.
 */
@Injectable()
export class ForgetRecalledUseCase {
  constructor(private readonly records: RecallRecordsRepository) {}

  async execute(
    req: Tasks.ForgetRecalledRequest,
    actor: Actor,
  ): Promise<Tasks.ForgetRecalledResponse> {
    const { tenantId, match, forget } = this.scope(req, actor);
    const { rounds, forgotten } = await this.records.forget(tenantId, match, forget);
    const left = (await this.records.remaining(tenantId, match)).filter(forget);
    return { forgotten, rounds, verified: left.length === 0 };
  }

  /** Which tenant's records, what in them, and which of it the caller may forget. */
  private scope(
    req: Tasks.ForgetRecalledRequest,
    actor: Actor,
  ): { tenantId: string; match: RecallMatch; forget: (item: RecordedRecall) => boolean } {
    const admin = isAdmin(actor);
    if (req.tenantId !== undefined) {
      if (!spansTenants(actor) && !(admin && tenantOf(actor) === req.tenantId))
        throw new DomainError(
          'FORBIDDEN',
          `only the platform operator or an admin of ${req.tenantId} may forget ${req.tenantId}'s memory`,
        );
      return { tenantId: req.tenantId, match: { all: true }, forget: () => true };
    }
    const tenantId = tenantOf(actor);
    if (req.userId !== undefined) {
      if (req.userId !== actor.userId && !admin)
        throw new DomainError(
          'FORBIDDEN',
          "only the user themself or an admin may forget a user's memory",
        );
      return { tenantId, match: { userId: req.userId }, forget: ofUser(req.userId) };
    }
    return {
      tenantId,
      match: { ids: req.ids ?? [] },
      forget: (item) => admin || ofUser(actor.userId)(item),
    };
  }
}
