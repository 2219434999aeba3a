// `switchboard memory forget-user|forget-namespace|forget-tenant`: the store first (mcp-tools), then
// what tasks recalled of it (the orchestrator's run records), with the same two steps as
// `DELETE /memory/users/{id}`, `/memory/namespaces/{kind}/{key}` and `/memory/tenants/{id}`
// (forgetMemory, libs/messaging).
import { forgetMemory, type NatsBus } from '@switchboard/messaging';
import type { CallOutput } from './call.js';
import type { MemoryForgetCommand } from './memory-args.js';

export interface Forgotten {
  /** `user bob in tenant acme`, `namespace tenant:handbook in tenant acme`, `tenant acme`. */
  whom: string;
  deleted: number;
  recalls: number;
  verified: boolean;
}

/** Forgets, prints what was forgotten (counts only), and resolves with whether it was verified. */
export async function memoryForget(
  bus: NatsBus,
  cmd: MemoryForgetCommand,
  out: CallOutput,
): Promise<boolean> {
  const done = await forgetMemory(bus, cmd.forget, {
    actor: cmd.actor,
    ...(cmd.timeoutMs !== undefined ? { timeoutMs: cmd.timeoutMs } : {}),
  });
  const result: Forgotten = {
    whom: whomOf(cmd),
    deleted: done.deleted,
    recalls: done.recalls,
    verified: done.verified,
  };
  out.line(cmd.json ? JSON.stringify(result) : forgottenLine(result));
  return result.verified;
}

function whomOf({ forget, actor }: MemoryForgetCommand): string {
  const tenant = actor.tenantId ?? '';
  if ('userId' in forget) return `user ${forget.userId} in tenant ${tenant}`;
  if ('namespace' in forget)
    return `namespace ${forget.namespace.kind}:${forget.namespace.key} in tenant ${tenant}`;
  return `tenant ${forget.tenantId}`;
}

/** What the operator is told: counts, and whether the read-back found anything left. */
export function forgottenLine(f: Forgotten): string {
  const items = `${f.deleted} memory item${f.deleted === 1 ? '' : 's'}`;
  const recalls = `${f.recalls} recorded recall${f.recalls === 1 ? '' : 's'} in tasks' run records`;
  return `forgot ${items} of ${f.whom} and emptied ${recalls}: ${f.verified ? 'verified, nothing of it is left' : 'NOT verified: something of it is still stored, run the command again'}`;
}
