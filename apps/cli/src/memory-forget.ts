// `switchboard memory forget-user|forget-tenant`: the store first (mcp-tools), then what tasks
// recalled of it (the orchestrator's run records), as `DELETE /memory/users/{id}` and
// `DELETE /memory/tenants/{id}` do; both idempotent, so a forget that failed half-way is run again.
import { Tasks, Tools } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { CallOutput } from './call.js';
import type { MemoryForgetCommand } from './memory-args.js';

export interface Forgotten {
  /** `user bob in tenant acme`, `tenant acme`. */
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
  const opts = {
    actor: cmd.actor,
    ...(cmd.timeoutMs !== undefined ? { timeoutMs: cmd.timeoutMs } : {}),
  };
  const tenant = cmd.actor.tenantId ?? '';
  const byUser = cmd.name === 'memory forget-user';
  const store = byUser
    ? await bus.request(Tools.MemoryForgetUser, { userId: cmd.target }, opts)
    : await bus.request(Tools.MemoryForgetTenant, { tenantId: cmd.target }, opts);
  const runs = await bus.request(
    Tasks.ForgetRecalled,
    byUser ? { userId: cmd.target } : { tenantId: cmd.target },
    opts,
  );
  const result: Forgotten = {
    whom: byUser ? `user ${cmd.target} in tenant ${tenant}` : `tenant ${cmd.target}`,
    deleted: store.deleted,
    recalls: runs.forgotten,
    verified: store.verified && runs.verified,
  };
  out.line(cmd.json ? JSON.stringify(result) : forgottenLine(result));
  return result.verified;
}

/** What the operator is told: counts, and whether the read-back found anything left. */
export function forgottenLine(f: Forgotten): string {
  const items = `${f.deleted} memory item${f.deleted === 1 ? '' : 's'}`;
  const recalls = `${f.recalls} recorded recall${f.recalls === 1 ? '' : 's'} in tasks' run records`;
  return `forgot ${items} of ${f.whom} and emptied ${recalls}: ${f.verified ? 'verified, nothing of it is left' : 'NOT verified: something of it is still stored, run the command again'}`;
}
