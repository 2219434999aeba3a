import { describe, expect, it } from '@jest/globals';
import { Audit } from '@switchboard/contracts';
import { recordIdFor } from './audit-trail.service.js';

describe(recordIdFor.name, () => {
  it('gives the same key the same record id, a valid UUID the audit contract accepts', () => {
    const id = recordIdFor('tool.call:u1:task-1:s1');
    expect(recordIdFor('tool.call:u1:task-1:s1')).toBe(id);
    expect(Audit.AuditRecord.shape.id.safeParse(id).success).toBe(true);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives different keys different ids', () => {
    const ids = new Set(Array.from({ length: 1_000 }, (_, i) => recordIdFor(`key-${i}`)));
    expect(ids.size).toBe(1_000);
  });
});
