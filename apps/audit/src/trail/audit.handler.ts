import { Controller } from '@nestjs/common';
import { Audit, DomainError, isAdmin } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta } from '@switchboard/messaging';
import { AuditRepository } from './audit.repository.js';

/** Queries of the trail; admins only, enforced here and not only at the gateway. */
@Controller()
export class AuditHandler {
  constructor(private readonly repository: AuditRepository) {}

  @HandleCommand(Audit.AuditQuery)
  query(req: Audit.AuditQueryRequest, meta: MessageMeta): Promise<Audit.AuditQueryResponse> {
    requireAdmin(meta);
    return this.repository.query(req);
  }

  @HandleCommand(Audit.AuditVerify)
  verify(_req: Record<string, never>, meta: MessageMeta): Promise<Audit.AuditVerifyResponse> {
    requireAdmin(meta);
    return this.repository.verify();
  }
}

function requireAdmin(meta: MessageMeta): void {
  if (!meta.actor) throw new DomainError('UNAUTHORIZED', 'no acting user on the request');
  if (!isAdmin(meta.actor))
    throw new DomainError('FORBIDDEN', 'the audit trail is for admins only');
}
