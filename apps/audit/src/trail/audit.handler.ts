import { Controller } from '@nestjs/common';
import { Audit, DomainError, isAdmin, spansTenants, tenantOf } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { AuditRepository, type TenantScope } from './audit.repository.js';

/**
 * Queries of the trail; admins only, enforced here and not only at the gateway. The tenant comes from
 * the acting user (headers), never from the request: a tenant's admin reads and verifies its own
 * tenant's rows; the platform operator every tenant's, or one named with `tenantId`.
 */
@Controller()
export class AuditHandler {
  constructor(private readonly repository: AuditRepository) {}

  @HandleCommand(Audit.AuditQuery)
  query(req: Audit.AuditQueryRequest, meta: MessageMeta): Promise<Audit.AuditQueryResponse> {
    const scope = readScope(meta, req.tenantId);
    // Another tenant's rows are not there for this user: no rows, as for a tenant without any.
    return scope ? this.repository.query(req, scope) : Promise.resolve({ entries: [] });
  }

  @HandleCommand(Audit.AuditVerify)
  verify(req: Audit.AuditVerifyRequest, meta: MessageMeta): Promise<Audit.AuditVerifyResponse> {
    return this.repository.verify(verifyScope(meta, req.tenantId));
  }
}

/**
 * The rows the acting admin may read, narrowed to `tenantId` when asked: the platform operator's are
 * every tenant's; anyone else's their own tenant's (undefined: they asked for another tenant's).
 */
export function readScope(
  meta: MessageMeta,
  tenantId: string | undefined,
): TenantScope | undefined {
  const actor = requireActor(meta.actor);
  if (!isAdmin(actor)) throw new DomainError('FORBIDDEN', 'the audit trail is for admins only');
  if (spansTenants(actor)) return tenantId === undefined ? 'all' : { tenantId };
  const own = tenantOf(actor);
  return tenantId === undefined || tenantId === own ? { tenantId: own } : undefined;
}

/** What the acting admin verifies: as readScope, and another tenant's trail is not found. */
export function verifyScope(meta: MessageMeta, tenantId: string | undefined): TenantScope {
  const scope = readScope(meta, tenantId);
  if (!scope) throw new DomainError('NOT_FOUND', `no audit trail of tenant ${tenantId} is yours`);
  return scope;
}
