import type { Audit } from '@switchboard/contracts';
import { chainHash, type ChainRow, GENESIS_HASH } from './audit-chain.js';
import { type ChainBreak, TenantCheck, TrailCheck } from './trail.check.js';

const record: Audit.AuditRecord = {
  id: '0b0f6c3e-0c4b-4f55-9a43-2a9a0c1f2b3d',
  at: '2026-11-22T10:00:00.000Z',
  category: 'tool',
  action: 'tool.call',
  outcome: 'success',
  source: 'mcp-tools',
  actor: { userId: 'ann', role: 'user' },
  details: { b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } },
};

/** Builds a trail the way the store does: rows of version 1 (before tenants) and then version 2. */
class Trail {
  readonly rows: ChainRow[] = [];
  private readonly heads = new Map<string, { seq: number; hash: string }>();

  /** A row stored before tenants, as the migration left it (default tenant, its trail link). */
  legacy(n: number): this {
    for (let i = 0; i < n; i++) {
      const prevHash = this.head();
      const r = this.record('default');
      const hash = chainHash(prevHash, r);
      const tenantSeq = (this.heads.get('default')?.seq ?? 0) + 1;
      this.push({
        seq: 0,
        prevHash,
        hash,
        hashVersion: 1,
        tenantId: 'default',
        tenantSeq,
        tenantPrevHash: prevHash,
        record: r,
      });
    }
    return this;
  }

  add(...tenants: string[]): this {
    for (const tenantId of tenants) {
      const prevHash = this.head();
      const before = this.heads.get(tenantId) ?? { seq: 0, hash: GENESIS_HASH };
      const l = { tenantId, tenantSeq: before.seq + 1, tenantPrevHash: before.hash };
      const r = this.record(tenantId);
      this.push({
        seq: 0,
        prevHash,
        hash: chainHash(prevHash, r, l),
        hashVersion: 2,
        ...l,
        record: r,
      });
    }
    return this;
  }

  slice(tenantId: string): ChainRow[] {
    return this.rows.filter((r) => r.tenantId === tenantId);
  }

  private head(): string {
    return this.rows.at(-1)?.hash ?? GENESIS_HASH;
  }

  private push(row: ChainRow): void {
    row.seq = this.rows.length + 1;
    this.rows.push(row);
    this.heads.set(row.tenantId, { seq: row.tenantSeq, hash: row.hash });
  }

  private record(tenantId: string): Audit.AuditRecord {
    const i = this.rows.length + 1;
    return {
      ...record,
      id: `0b0f6c3e-0c4b-4f55-9a43-${String(i).padStart(12, '0')}`,
      ...(tenantId === 'default' ? {} : { tenantId }),
      details: { i },
    };
  }
}

/** Runs a check over rows; the first break, and how many matched before it. */
function run(check: TrailCheck | TenantCheck, rows: ChainRow[]): ChainBreak | 'ok' {
  for (const row of rows) {
    const broken = check.check(row);
    if (broken) return broken;
  }
  return 'ok';
}

const tenantCheck = (tenantId: string, rows: ChainRow[]) => {
  const check = new TenantCheck(tenantId);
  return { result: run(check, rows), check };
};

describe(TrailCheck.name, () => {
  it('verifies rows stored before tenants followed by rows of several tenants, and each slice alone', () => {
    const trail = new Trail().legacy(3).add('acme', 'default', 'globex', 'acme', 'acme', 'default');
    const sut = new TrailCheck();
    expect(run(sut, trail.rows)).toBe('ok');
    expect(sut.checked).toBe(9);
    expect(sut.lastHash).toBe(trail.rows.at(-1)?.hash);

    const acme = tenantCheck('acme', trail.slice('acme'));
    expect(acme.result).toBe('ok');
    expect(acme.check).toMatchObject({ checked: 3, firstTenantSeq: 1, lastTenantSeq: 3 });
    // The default tenant's slice runs through its rows from before tenants into its new ones.
    const byDefault = tenantCheck('default', trail.slice('default'));
    expect(byDefault.result).toBe('ok');
    expect(byDefault.check).toMatchObject({ checked: 5, firstTenantSeq: 1, lastTenantSeq: 5 });
    expect(tenantCheck('globex', trail.slice('globex')).result).toBe('ok');
  });

  it('names the first row after a removed one, of any tenant', () => {
    const trail = new Trail().legacy(2).add('acme', 'globex', 'acme');
    const rows = trail.rows.filter((r) => r.seq !== 4);
    expect(run(new TrailCheck(), rows)).toEqual({
      seq: 5,
      tenantSeq: 2,
      reason: 'prevHash does not match the previous row',
    });
  });

  it("catches a row that skips its tenant's chain even when the trail's chain holds", () => {
    const trail = new Trail().add('acme', 'acme');
    // A writer that got the tenant's head wrong, hashing honestly: the trail links, the tenant does not.
    const second = trail.rows[1] as ChainRow;
    const forged = { ...second, tenantSeq: 3 };
    forged.hash = chainHash(forged.prevHash, forged.record, forged);
    expect(run(new TrailCheck(), [trail.rows[0] as ChainRow, forged])).toEqual({
      seq: 2,
      tenantSeq: 3,
      reason: 'tenantSeq 3 follows 1: rows of the tenant are missing',
    });
  });

  it('refuses a row stored before tenants that claims another tenant, and an unknown hash version', () => {
    const trail = new Trail().legacy(2);
    // Relabelled as acme's first row, linked as such: only its hash version gives it away.
    const moved = trail.rows.map((r) =>
      r.seq === 2 ? { ...r, tenantId: 'acme', tenantSeq: 1, tenantPrevHash: GENESIS_HASH } : r,
    );
    expect(run(new TrailCheck(), moved)).toMatchObject({
      seq: 2,
      reason: 'a row stored before tenants must belong to the default tenant',
    });
    const unknown = trail.rows.map((r) => (r.seq === 2 ? { ...r, hashVersion: 3 } : r));
    expect(run(new TrailCheck(), unknown)).toMatchObject({
      seq: 2,
      reason: 'unknown hash version 3',
    });
  });
});

describe(TenantCheck.name, () => {
  const trail = () =>
    new Trail().legacy(2).add('acme', 'default', 'acme', 'globex', 'acme', 'acme', 'default');

  it("detects a removed row of the tenant, reading only the tenant's rows", () => {
    const slice = trail().slice('acme');
    const { result, check } = tenantCheck(
      'acme',
      slice.filter((r) => r.tenantSeq !== 2),
    );
    expect(result).toEqual({
      seq: slice[2]?.seq,
      tenantSeq: 3,
      reason: 'tenantSeq 3 follows 1: rows of the tenant are missing',
    });
    expect(check).toMatchObject({ checked: 1, lastTenantSeq: 1 });
    // The first row too, and a row stored before tenants of the default tenant.
    expect(tenantCheck('acme', slice.slice(1)).result).toMatchObject({
      tenantSeq: 2,
      reason: 'tenantSeq 2 follows 0: rows of the tenant are missing',
    });
    const byDefault = trail().slice('default');
    expect(
      tenantCheck(
        'default',
        byDefault.filter((r) => r.tenantSeq !== 1),
      ).result,
    ).toMatchObject({
      tenantSeq: 2,
    });
  });

  it('detects a removed row whose successors were renumbered to hide the gap', () => {
    const slice = trail().slice('acme');
    const renumbered = slice
      .filter((r) => r.tenantSeq !== 2)
      .map((r) => (r.tenantSeq > 2 ? { ...r, tenantSeq: r.tenantSeq - 1 } : r));
    expect(tenantCheck('acme', renumbered).result).toMatchObject({
      tenantSeq: 2,
      reason: 'tenantPrevHash does not match the previous row of the tenant',
    });
  });

  it('detects a modified row, of either hash version', () => {
    const slice = trail().slice('acme');
    const modified = slice.map((r) =>
      r.tenantSeq === 3 ? { ...r, record: { ...r.record, outcome: 'denied' as const } } : r,
    );
    expect(tenantCheck('acme', modified).result).toMatchObject({
      tenantSeq: 3,
      reason: 'row content does not match its hash',
    });
    const legacy = trail()
      .slice('default')
      .map((r) => (r.tenantSeq === 2 ? { ...r, record: { ...r.record, details: { i: 99 } } } : r));
    expect(tenantCheck('default', legacy).result).toMatchObject({
      tenantSeq: 2,
      reason: 'row content does not match its hash',
    });
  });

  it('detects reordered rows: swapped places, or swapped tenantSeq values', () => {
    const slice = trail().slice('acme');
    const [a, b, c, d] = slice as [ChainRow, ChainRow, ChainRow, ChainRow];
    expect(tenantCheck('acme', [a, c, b, d]).result).toMatchObject({
      tenantSeq: 3,
      reason: 'tenantSeq 3 follows 1: rows of the tenant are missing',
    });
    // Read back in tenantSeq order after their tenantSeq values were exchanged.
    const swapped = [a, { ...c, tenantSeq: 2 }, { ...b, tenantSeq: 3 }, d];
    expect(tenantCheck('acme', swapped).result).toMatchObject({
      tenantSeq: 2,
      reason: 'tenantPrevHash does not match the previous row of the tenant',
    });
    const relinked = [
      a,
      { ...c, tenantSeq: 2, tenantPrevHash: a.hash },
      { ...b, tenantSeq: 3, tenantPrevHash: c.hash },
      d,
    ];
    expect(tenantCheck('acme', relinked).result).toMatchObject({
      tenantSeq: 2,
      reason: 'row content does not match its hash',
    });
  });

  it("detects a row moved out of its tenant, or another tenant's row slipped in", () => {
    const t = trail();
    const acme = t.slice('acme');
    const intruder = { ...(t.slice('globex')[0] as ChainRow) };
    expect(tenantCheck('acme', [acme[0] as ChainRow, intruder]).result).toMatchObject({
      reason: 'the row belongs to tenant globex',
    });
    // Relabelled as acme's next row: its hash names globex.
    const relabelled = {
      ...intruder,
      tenantId: 'acme',
      tenantSeq: 2,
      tenantPrevHash: (acme[0] as ChainRow).hash,
    };
    expect(tenantCheck('acme', [acme[0] as ChainRow, relabelled]).result).toMatchObject({
      reason: 'row content does not match its hash',
    });
    // A row stored before tenants cannot leave the default tenant: its successor's link is broken,
    // and it is refused where it is put.
    const byDefault = t.slice('default');
    expect(
      tenantCheck(
        'default',
        byDefault.filter((r) => r.tenantSeq !== 1),
      ).result,
    ).toMatchObject({
      reason: 'tenantSeq 2 follows 0: rows of the tenant are missing',
    });
    const legacy = { ...(byDefault[0] as ChainRow), tenantId: 'acme' };
    expect(tenantCheck('acme', [legacy]).result).toMatchObject({
      reason: 'a row stored before tenants must belong to the default tenant',
    });
  });

  it('verifies an empty slice (a tenant without rows)', () => {
    const { result, check } = tenantCheck('initech', []);
    expect(result).toBe('ok');
    expect(check).toMatchObject({ checked: 0, firstTenantSeq: undefined, lastHash: undefined });
  });
});
