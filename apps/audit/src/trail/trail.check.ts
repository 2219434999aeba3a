import { DEFAULT_TENANT } from '@switchboard/contracts';
import { chainHash, type ChainRow, GENESIS_HASH, type TenantLink } from './audit-chain.js';

/** Why a row's own content does not verify, in the format its hash version names. */
function contentProblem(row: ChainRow): string | undefined {
  if (row.hashVersion === 1) {
    // Stored before tenants: the default tenant's, chained in its tenant as in the trail (the
    // migration's backfill). Its hash covers prevHash, so that is what binds its tenant link.
    if (row.tenantId !== DEFAULT_TENANT)
      return 'a row stored before tenants must belong to the default tenant';
    if (row.tenantPrevHash !== row.prevHash)
      return 'a row stored before tenants must chain its tenant as it chains the trail';
    return chainHash(row.prevHash, row.record) === row.hash
      ? undefined
      : 'row content does not match its hash';
  }
  if (row.hashVersion === 2)
    return chainHash(row.prevHash, row.record, row) === row.hash
      ? undefined
      : 'row content does not match its hash';
  return `unknown hash version ${row.hashVersion}`;
}

export interface ChainBreak {
  seq: number;
  tenantSeq: number;
  reason: string;
}

/**
 * Checks the whole trail, fed every row in `seq` order: each row's `prevHash` is its predecessor's hash,
 * each row follows the last row of its tenant (`tenantSeq` one more, `tenantPrevHash` its hash), and
 * its content matches its hash. Holds one head per tenant.
 */
export class TrailCheck {
  checked = 0;
  lastHash: string | undefined;
  private prevHash = GENESIS_HASH;
  private readonly tenants = new Map<string, { seq: number; hash: string }>();

  /** The first problem of `row`, or undefined (then it counts as checked). */
  check(row: ChainRow): ChainBreak | undefined {
    const at = { seq: row.seq, tenantSeq: row.tenantSeq };
    if (row.prevHash !== this.prevHash)
      return { ...at, reason: 'prevHash does not match the previous row' };
    const head = this.tenants.get(row.tenantId) ?? { seq: 0, hash: GENESIS_HASH };
    const link = linkProblem(row, head);
    if (link) return { ...at, reason: link };
    const content = contentProblem(row);
    if (content) return { ...at, reason: content };
    this.prevHash = row.hash;
    this.lastHash = row.hash;
    this.tenants.set(row.tenantId, { seq: row.tenantSeq, hash: row.hash });
    this.checked++;
    return undefined;
  }
}

/**
 * Checks one tenant's slice, fed its rows in `tenantSeq` order and nothing else: 1, 2, 3… without a
 * gap, each naming its predecessor's hash, each matching its own hash. A removed, altered or reordered
 * row of the tenant breaks it; other tenants' rows are not needed.
 */
export class TenantCheck {
  checked = 0;
  firstTenantSeq: number | undefined;
  lastTenantSeq: number | undefined;
  lastHash: string | undefined;
  private head = { seq: 0, hash: GENESIS_HASH };

  constructor(readonly tenantId: string) {}

  check(row: ChainRow): ChainBreak | undefined {
    const at = { seq: row.seq, tenantSeq: row.tenantSeq };
    if (row.tenantId !== this.tenantId)
      return { ...at, reason: `the row belongs to tenant ${row.tenantId}` };
    const link = linkProblem(row, this.head);
    if (link) return { ...at, reason: link };
    const content = contentProblem(row);
    if (content) return { ...at, reason: content };
    this.head = { seq: row.tenantSeq, hash: row.hash };
    this.firstTenantSeq ??= row.tenantSeq;
    this.lastTenantSeq = row.tenantSeq;
    this.lastHash = row.hash;
    this.checked++;
    return undefined;
  }
}

/** Whether `row` follows `head`, the last row of its tenant. */
function linkProblem(row: TenantLink, head: { seq: number; hash: string }): string | undefined {
  if (row.tenantSeq !== head.seq + 1)
    return row.tenantSeq > head.seq + 1
      ? `tenantSeq ${row.tenantSeq} follows ${head.seq}: rows of the tenant are missing`
      : `tenantSeq ${row.tenantSeq} follows ${head.seq}: the tenant's rows are out of order`;
  if (row.tenantPrevHash !== head.hash)
    return 'tenantPrevHash does not match the previous row of the tenant';
  return undefined;
}
