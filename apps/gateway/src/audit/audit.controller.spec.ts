import { describe, expect, it } from '@jest/globals';
import { type Actor, Audit, type DomainError } from '@switchboard/contracts';
import type { AuditTrail, NatsBus } from '@switchboard/messaging';
import { AuditQueryParams, AuditVerifyParams } from '../http/api.schemas.js';
import { AuditController } from './audit.controller.js';

const acmeAdmin: Actor = { userId: 'root', role: 'admin', tenantId: 'acme' };
const operator: Actor = { userId: 'ops', role: 'platform-admin' };
const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };

/** The controller over a bus and an audit trail that record what they were given. */
function setup() {
  const sent: { subject: string; payload: unknown; actor: unknown }[] = [];
  const audits: Record<string, unknown>[] = [];
  const bus = {
    request: async (c: { subject: string }, payload: unknown, opts: { actor: unknown }) => {
      sent.push({ subject: c.subject, payload, actor: opts.actor });
      return {};
    },
  } as unknown as NatsBus;
  const audit = {
    record: async (r: Record<string, unknown>) => void audits.push(r),
  } as unknown as AuditTrail;
  return { sut: new AuditController(bus, audit), sent, audits };
}

const thrown = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a throw');
};

describe(AuditController.name, () => {
  it('passes tenant_id on as the tenant filter of a query, with the acting user', async () => {
    const { sut, sent } = setup();
    await sut.query(operator, AuditQueryParams.parse({ tenant_id: 'globex', limit: '10' }));
    await sut.query(acmeAdmin, AuditQueryParams.parse({ user_id: 'ann' }));
    expect(sent).toEqual([
      {
        subject: Audit.AuditQuery.subject,
        payload: { tenantId: 'globex', limit: 10 },
        actor: operator,
      },
      {
        subject: Audit.AuditQuery.subject,
        payload: { userId: 'ann', limit: 50 },
        actor: acmeAdmin,
      },
    ]);
  });

  it('passes tenant_id on to the verification, and nothing when it is absent', async () => {
    const { sut, sent } = setup();
    await sut.verify(operator, AuditVerifyParams.parse({ tenant_id: 'globex' }));
    await sut.verify(acmeAdmin, AuditVerifyParams.parse({}));
    expect(sent).toEqual([
      { subject: Audit.AuditVerify.subject, payload: { tenantId: 'globex' }, actor: operator },
      { subject: Audit.AuditVerify.subject, payload: {}, actor: acmeAdmin },
    ]);
  });

  it("leaves another tenant's id to the audit service (it scopes by the actor's tenant)", async () => {
    const { sut, sent } = setup();
    await sut.query(acmeAdmin, AuditQueryParams.parse({ tenant_id: 'globex' }));
    await sut.verify(acmeAdmin, AuditVerifyParams.parse({ tenant_id: 'globex' }));
    expect(sent.map((s) => [s.payload, s.actor])).toEqual([
      [{ tenantId: 'globex', limit: 50 }, acmeAdmin],
      [{ tenantId: 'globex' }, acmeAdmin],
    ]);
  });

  it('refuses non-admins before a NATS hop, audited, whatever tenant they name', () => {
    const { sut, sent, audits } = setup();
    expect(thrown(() => sut.verify(ann, { tenant_id: 'acme' })).code).toBe('FORBIDDEN');
    expect(thrown(() => sut.query(ann, { tenant_id: 'acme' })).code).toBe('FORBIDDEN');
    expect(sent).toEqual([]);
    expect(audits.map((a) => a['action'])).toEqual(['audit.verify.denied', 'audit.query.denied']);
  });

  it('takes only tenant_id on verify, and refuses a malformed tenant id', () => {
    expect(AuditVerifyParams.safeParse({ from: '2026-01-01T00:00:00Z' }).success).toBe(false);
    expect(AuditVerifyParams.safeParse({ tenant_id: '../etc' }).success).toBe(false);
    expect(AuditQueryParams.safeParse({ tenant_id: 'a'.repeat(65) }).success).toBe(false);
    expect(AuditVerifyParams.parse({ tenant_id: 'acme-2' })).toEqual({ tenant_id: 'acme-2' });
  });
});
