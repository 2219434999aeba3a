import { DomainError } from '@switchboard/contracts';
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

const alice: MemoryScope = { tenantId: 'acme', userId: 'alice', admin: false };
const ann: MemoryScope = { tenantId: 'acme', userId: 'ann', admin: true };
const user = (key: string) => ({ kind: 'user' as const, key });
const tenant = { kind: 'tenant' as const, key: 'handbook' };
const thread = { kind: 'thread' as const, key: 't-1' };

describe('memory rights', () => {
  it('scopes every caller to their own tenant, the operator included', () => {
    expect(scopeOf({ userId: 'ops', role: 'platform-admin', tenantId: 'globex' })).toMatchObject({
      tenantId: 'globex',
    });
    expect(scopeOf({ userId: 'u', role: 'user' })).toEqual({
      tenantId: 'default',
      userId: 'u',
      admin: false,
    });
  });

  it("lets a user write their own namespace and their thread's, never another's nor the tenant's", () => {
    expect(ownerForWrite(alice, user('alice'))).toBe('alice');
    expect(ownerForWrite(alice, thread)).toBe('alice');
    expect(() => ownerForWrite(alice, user('bob'))).toThrow(DomainError);
    expect(() => ownerForWrite(alice, tenant)).toThrow(/tenant:handbook: needs the admin role/);
    expect(() => ownerForWrite(ann, user('alice'))).toThrow(/only its user writes/);
    expect(ownerForWrite(ann, tenant)).toBe('');
  });

  it('lets every user read tenant-wide items and only their own user and thread items; admins read all', () => {
    expect(mayRead(alice, tenant, '')).toBe(true);
    expect(mayRead(alice, user('alice'), 'alice')).toBe(true);
    expect(mayRead(alice, user('bob'), 'bob')).toBe(false);
    expect(mayRead(alice, thread, 'bob')).toBe(false);
    expect(mayRead(ann, thread, 'bob')).toBe(true);
    expect(() => checkReadable(alice, user('bob'))).toThrow(/FORBIDDEN|may not read/);
    expect(() => checkReadable(ann, user('bob'))).not.toThrow();
  });

  it('lets a user delete their own items, admins any of the tenant, nobody else the tenant-wide ones', () => {
    expect(mayDelete(alice, user('alice'), 'alice')).toBe(true);
    expect(mayDelete(alice, thread, 'bob')).toBe(false);
    expect(mayDelete(alice, tenant, '')).toBe(false);
    expect(mayDelete(ann, tenant, '')).toBe(true);
  });

  it('lets a user edit their own and their thread items, admins only the tenant-wide ones', () => {
    expect(editRefusal(alice, user('alice'), 'alice')).toBeUndefined();
    expect(editRefusal(alice, thread, 'alice')).toBeUndefined();
    expect(editRefusal(alice, thread, 'bob')).toBe('only its own user edits a thread item');
    expect(editRefusal(alice, tenant, '')).toBe('needs the admin role');
    // An admin reads and deletes a user's items, never writes them.
    expect(editRefusal(ann, user('alice'), 'alice')).toBe('only its own user edits a user item');
    expect(editRefusal(ann, thread, 'alice')).toBe('only its own user edits a thread item');
    expect(editRefusal(ann, tenant, '')).toBeUndefined();
  });

  it('lets a namespace be forgotten whole by its user or an admin, a thread only of its own items', () => {
    expect(forgettable(alice, user('alice'))).toEqual({ ownerId: undefined });
    expect(forgettable(alice, thread)).toEqual({ ownerId: 'alice' });
    expect(forgettable(ann, thread)).toEqual({ ownerId: undefined });
    expect(forgettable(ann, user('alice'))).toEqual({ ownerId: undefined });
    expect(forgettable(ann, tenant)).toEqual({ ownerId: undefined });
    expect(() => forgettable(alice, user('bob'))).toThrow(
      /may not forget memory namespace user:bob/,
    );
    expect(() => forgettable(alice, tenant)).toThrow(/tenant:handbook: needs the admin role/);
    expect(() => forgettable(alice, { kind: 'agent', key: 'helper' })).toThrow(DomainError);
  });
});
