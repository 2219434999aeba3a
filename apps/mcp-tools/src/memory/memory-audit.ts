import type { Tools } from '@switchboard/contracts';
import type { AuditEvent } from '@switchboard/messaging';

/** A namespace as the audit trail and the refusals name it: `kind:key`. */
export const namespaceLabel = (ns: Tools.MemoryNamespace): string => `${ns.kind}:${ns.key}`;

/**
 * The audit record of a change to one item (forgotten, edited): its namespace and what `details` say
 * of the change, never the content itself (its hash at most).
 */
export function itemChanged(
  action: 'memory.forget' | 'memory.update',
  item: Tools.MemoryItem,
  details: Record<string, unknown>,
): AuditEvent {
  return {
    category: 'tool',
    action,
    outcome: 'success',
    resource: `memory/${item.id}`,
    details: { namespace: namespaceLabel(item.namespace), ...details },
  };
}
