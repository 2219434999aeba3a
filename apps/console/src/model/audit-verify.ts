import type { Audit } from '@switchboard/contracts';

export type AuditVerifyResponse = Audit.AuditVerifyResponse;

const count = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'record' : 'records'}`;

/** "tenantSeq 4–9" (or "tenantSeq 4" for one), when the answer names the range. */
function rangeWords(first: number | undefined, last: number | undefined): string | undefined {
  if (first === undefined || last === undefined) return undefined;
  return first === last ? `tenantSeq ${first}` : `tenantSeq ${first}–${last}`;
}

/**
 * What GET /audit/verify found, in one sentence that says what was checked: a tenant's chain (a tenant
 * admin's, or the one a platform operator asked for) or the whole trail (the platform operator's):
 * "The chain of tenant acme is intact: 12 records, tenantSeq 1–12." With tenancy off there is one
 * tenant, so the sentence names none ("The chain is intact: 12 records.").
 */
export function verifyWords(r: AuditVerifyResponse, tenancy = true): string {
  const tenant = tenancy && r.scope === 'tenant';
  const range = tenant ? rangeWords(r.firstTenantSeq, r.lastTenantSeq) : undefined;
  const what = !tenancy
    ? 'The chain'
    : tenant
      ? `The chain of tenant ${r.tenantId ?? '?'}`
      : 'The whole chain';
  if (r.ok) {
    if (r.checked === 0) return `${what} is intact: it holds no records yet.`;
    const whose = tenancy && !tenant ? ", every tenant's" : '';
    return `${what} is intact: ${count(r.checked)}${range ? `, ${range}` : ''}${whose}.`;
  }
  const at = tenant
    ? `tenantSeq ${r.firstBrokenTenantSeq ?? '?'}${r.firstBrokenSeq ? ` (row ${r.firstBrokenSeq})` : ''}`
    : `row ${r.firstBrokenSeq ?? '?'}${tenancy && r.firstBrokenTenantSeq ? ` (tenantSeq ${r.firstBrokenTenantSeq} of its tenant)` : ''}`;
  const before = `${count(r.checked)} matched before it${range ? ` (${range})` : ''}`;
  return `${what} is broken at ${at}: ${r.reason ?? 'unknown reason'}. ${before}.`;
}
