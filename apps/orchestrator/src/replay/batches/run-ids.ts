import { createHash } from 'node:crypto';

/**
 * A name-based UUID (RFC 9562, version 5 layout) of `key`: the same key gives the same id on every
 * replica, so a batch item's run has one task id however often its start is sent.
 */
export function nameUuid(key: string): string {
  const h = createHash('sha1').update(`switchboard ${key}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The run task id of a batch's item. */
export const runTaskIdOf = (batchId: string, position: number): string =>
  nameUuid(`replay batch ${batchId} item ${position}`);
