import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError, isDomainError } from '@switchboard/contracts';
import { OwnedLookup } from './owned-lookup.js';
import type { TenantRefusal, TenantRefusals } from './tenant-refusals.js';
import { ALL_TENANTS, type TenantScope } from './tenant-scope.js';

interface Thing {
  id: string;
  tenantId: string;
  userId: string;
}

const things: Thing[] = [
  { id: 't-ann', tenantId: 'acme', userId: 'ann' },
  { id: 't-bob', tenantId: 'acme', userId: 'bob' },
  { id: 't-globex', tenantId: 'globex', userId: 'gus' },
];

class ThingLookup extends OwnedLookup<Thing> {
  constructor(refusals: TenantRefusals) {
    super(
      refusals,
      {
        get: async (id: string, scope: TenantScope) =>
          things.find((t) => t.id === id && (scope === ALL_TENANTS || t.tenantId === scope)),
        list: async (scope: TenantScope, userId: string | undefined, take: number) =>
          things
            .filter(
              (t) =>
                (scope === ALL_TENANTS || t.tenantId === scope) && (!userId || t.userId === userId),
            )
            .slice(0, take),
        tenantOf: async (id: string) => things.find((t) => t.id === id)?.tenantId,
      },
      {
        category: 'schedule',
        notFound: (id: string) => new DomainError('NOT_FOUND', `thing ${id} not found`),
      },
    );
  }
}

function setup() {
  const asked: { actor: Actor; tenant: Promise<string | undefined>; refusal: TenantRefusal }[] = [];
  const refusals = {
    ifElsewhere: (
      actor: Actor,
      tenantOf: () => Promise<string | undefined>,
      refusal: TenantRefusal,
    ) => void asked.push({ actor, tenant: tenantOf(), refusal }),
  } as unknown as TenantRefusals;
  return { sut: new ThingLookup(refusals), asked };
}

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const bob: Actor = { userId: 'bob', role: 'user', tenantId: 'acme' };
const admin: Actor = { userId: 'root', role: 'admin', tenantId: 'acme' };
const operator: Actor = { userId: 'op', role: 'platform-admin', tenantId: 'acme' };

async function refusedWith(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDomainError(err)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return `${err.code}: ${err.message}`;
}

describe(OwnedLookup.name, () => {
  it('finds a thing for its owner and for an admin of its tenant, asking no refusal', async () => {
    const { sut, asked } = setup();
    expect(await sut.find('t-ann', ann, 'thing.get')).toEqual(things[0]);
    expect(await sut.find('t-ann', admin, 'thing.get')).toEqual(things[0]);
    expect(asked).toEqual([]);
  });

  it("lists a user's own things, an admin's tenant's, the platform operator's every tenant's", async () => {
    const { sut } = setup();
    const ids = async (actor: Actor, limit = 10) => (await sut.list(actor, limit)).map((t) => t.id);
    expect(await ids(ann)).toEqual(['t-ann']);
    expect(await ids(admin)).toEqual(['t-ann', 't-bob']);
    expect(await ids(admin, 1)).toEqual(['t-ann']);
    expect(await ids(operator)).toEqual(['t-ann', 't-bob', 't-globex']);
  });

  it("answers another user's thing as missing (NOT_FOUND from the kind)", async () => {
    const { sut, asked } = setup();
    expect(await refusedWith(sut.find('t-ann', bob, 'thing.get'))).toBe(
      'NOT_FOUND: thing t-ann not found',
    );
    expect(await Promise.all(asked.map((a) => a.tenant))).toEqual(['acme']);
  });

  it("answers another tenant's thing as missing and asks for the refusal's audit", async () => {
    const { sut, asked } = setup();
    expect(await refusedWith(sut.find('t-globex', admin, 'thing.firings'))).toBe(
      'NOT_FOUND: thing t-globex not found',
    );
    expect(asked.map(({ actor, refusal }) => ({ actor, refusal }))).toEqual([
      {
        actor: admin,
        refusal: { category: 'schedule', action: 'thing.firings', resource: 't-globex' },
      },
    ]);
    expect(await asked[0]?.tenant).toBe('globex');
  });
});
