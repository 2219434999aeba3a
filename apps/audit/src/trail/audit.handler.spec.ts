import { type Actor, isDomainError } from '@switchboard/contracts';
import type { MessageMeta } from '@switchboard/messaging';
import { readScope, verifyScope } from './audit.handler.js';

const meta = (actor?: Actor): MessageMeta => ({
  subject: 'sb.cmd.audit.query',
  correlationId: 'c1',
  ...(actor ? { actor } : {}),
});

const acmeAdmin = meta({ userId: 'ann', role: 'admin', tenantId: 'acme' });
const operator = meta({ userId: 'root', role: 'platform-admin' });

const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'no error';
  } catch (e) {
    return isDomainError(e) ? e.code : e;
  }
};

describe(readScope.name, () => {
  it("limits a tenant admin to its own tenant's rows, whatever the request names", () => {
    expect(readScope(acmeAdmin, undefined)).toEqual({ tenantId: 'acme' });
    expect(readScope(acmeAdmin, 'acme')).toEqual({ tenantId: 'acme' });
    // another tenant's: nothing (the handler answers no rows, reading none)
    expect(readScope(acmeAdmin, 'globex')).toBeUndefined();
    // an admin naming no tenant (tenancy off) is the default tenant's
    const admin = meta({ userId: 'bo', role: 'admin' });
    expect(readScope(admin, undefined)).toEqual({ tenantId: 'default' });
    expect(readScope(admin, 'acme')).toBeUndefined();
  });

  it("lets the platform operator read every tenant's rows, or one tenant's", () => {
    expect(readScope(operator, undefined)).toBe('all');
    expect(readScope(operator, 'globex')).toEqual({ tenantId: 'globex' });
    // its own tenant, if it names one, does not narrow what it sees
    expect(
      readScope(meta({ userId: 'root', role: 'platform-admin', tenantId: 'acme' }), undefined),
    ).toBe('all');
  });

  it('answers admins only', () => {
    expect(
      codeOf(() => readScope(meta({ userId: 'u', role: 'user', tenantId: 'acme' }), undefined)),
    ).toBe('FORBIDDEN');
    expect(codeOf(() => readScope(meta(), undefined))).toBe('UNAUTHORIZED');
  });
});

describe(verifyScope.name, () => {
  it("verifies a tenant admin's slice, the whole trail for the operator, and finds no other tenant's", () => {
    expect(verifyScope(acmeAdmin, undefined)).toEqual({ tenantId: 'acme' });
    expect(verifyScope(operator, undefined)).toBe('all');
    expect(verifyScope(operator, 'globex')).toEqual({ tenantId: 'globex' });
    expect(codeOf(() => verifyScope(acmeAdmin, 'globex'))).toBe('NOT_FOUND');
  });
});
