import {
  DomainError,
  isDomainError,
  type RequestOf,
  type ResponseOf,
  Tasks,
  Tools,
} from '@switchboard/contracts';
import type { NatsBus, RequestOptions } from './nats-bus.service.js';

/** What is forgotten: one item, everything of a user or of a tenant, or one namespace. */
export type MemoryForgetTarget =
  { id: string } | { userId: string } | { tenantId: string } | { namespace: Tools.MemoryNamespace };

/** What each forget answers: the store's answer (a namespace's without its ids), and the recalls emptied. */
type WithRecalls<R> = R & { recalls: number };
export type MemoryItemForgotten = WithRecalls<ResponseOf<typeof Tools.MemoryDelete>>;
export type MemoryUserForgotten = WithRecalls<ResponseOf<typeof Tools.MemoryForgetUser>>;
export type MemoryTenantForgotten = WithRecalls<ResponseOf<typeof Tools.MemoryForgetTenant>>;
export type MemoryNamespaceForgotten = WithRecalls<
  Omit<ResponseOf<typeof Tools.MemoryForgetNamespace>, 'ids'>
>;

type Bus = Pick<NatsBus, 'request'>;

/** ForgetRecalled takes at most this many ids at once. */
const IDS_PER_REQUEST = 1_000;

/**
 * Forgetting in long-term memory (docs/memory.md), as every surface does it (the gateway's HTTP API,
 * the operator's CLI): the store first (mcp-tools), then what tasks recalled of it (the orchestrator's
 * run records, `Tasks.ForgetRecalled`), `verified` only when both read back nothing left. Each side
 * decides the caller's rights itself. By user and by tenant both steps are idempotent, so a forget
 * that failed half-way is sent again; an item by id too (the run records are asked even when the
 * store had nothing left to delete). A namespace's run records are cleaned by the ids the store
 * deleted, which only the answer that deleted them knows: when the run records cannot be asked
 * after that, the error carries the ids (`details.ids`) so each can be forgotten again by id.
 */
export function forgetMemory(
  bus: Bus,
  target: { id: string },
  opts?: RequestOptions,
): Promise<MemoryItemForgotten>;
export function forgetMemory(
  bus: Bus,
  target: { userId: string },
  opts?: RequestOptions,
): Promise<MemoryUserForgotten>;
export function forgetMemory(
  bus: Bus,
  target: { tenantId: string },
  opts?: RequestOptions,
): Promise<MemoryTenantForgotten>;
export function forgetMemory(
  bus: Bus,
  target: { namespace: Tools.MemoryNamespace },
  opts?: RequestOptions,
): Promise<MemoryNamespaceForgotten>;
export function forgetMemory(
  bus: Bus,
  target: Exclude<MemoryForgetTarget, { id: string }>,
  opts?: RequestOptions,
): Promise<MemoryUserForgotten | MemoryTenantForgotten | MemoryNamespaceForgotten>;
export async function forgetMemory(
  bus: Bus,
  target: MemoryForgetTarget,
  opts: RequestOptions = {},
): Promise<
  MemoryItemForgotten | MemoryUserForgotten | MemoryTenantForgotten | MemoryNamespaceForgotten
> {
  if ('id' in target) {
    const store = await bus.request(Tools.MemoryDelete, { id: target.id }, opts);
    const runs = await bus.request(Tasks.ForgetRecalled, { ids: [target.id] }, opts);
    return { ...store, recalls: runs.forgotten };
  }
  if ('namespace' in target) {
    const { ids, ...store } = await bus.request(
      Tools.MemoryForgetNamespace,
      { namespace: target.namespace },
      opts,
    );
    const runs = await forgetRecalledIds(bus, ids, opts).catch((e: unknown) => {
      throw unfinished(e, ids);
    });
    return { ...store, ...combined(store, runs) };
  }
  if ('userId' in target) {
    const store = await bus.request(Tools.MemoryForgetUser, { userId: target.userId }, opts);
    const runs = await bus.request(Tasks.ForgetRecalled, { userId: target.userId }, opts);
    return { ...store, ...combined(store, runs) };
  }
  const store = await bus.request(Tools.MemoryForgetTenant, { tenantId: target.tenantId }, opts);
  const runs = await bus.request(Tasks.ForgetRecalled, { tenantId: target.tenantId }, opts);
  return { ...store, ...combined(store, runs) };
}

/** The run records of the given ids, a thousand at a time; nothing to ask when none was deleted. */
async function forgetRecalledIds(
  bus: Bus,
  ids: readonly string[],
  opts: RequestOptions,
): Promise<Pick<ResponseOf<typeof Tasks.ForgetRecalled>, 'forgotten' | 'verified'>> {
  let forgotten = 0;
  let verified = true;
  for (let i = 0; i < ids.length; i += IDS_PER_REQUEST) {
    const request: RequestOf<typeof Tasks.ForgetRecalled> = {
      ids: ids.slice(i, i + IDS_PER_REQUEST),
    };
    const runs = await bus.request(Tasks.ForgetRecalled, request, opts);
    forgotten += runs.forgotten;
    verified &&= runs.verified;
  }
  return { forgotten, verified };
}

const combined = (
  store: { verified: boolean },
  runs: { forgotten: number; verified: boolean },
): { verified: boolean; recalls: number } => ({
  verified: store.verified && runs.verified,
  recalls: runs.forgotten,
});

/** The run records could not be cleaned after the store deleted: the error, with what to ask again. */
function unfinished(e: unknown, ids: string[]): unknown {
  if (!isDomainError(e)) return e;
  return new DomainError(
    e.code,
    `${e.message} (the store deleted ${ids.length} items but tasks' run records may still hold what they recalled of them: forget each again by id, details.ids)`,
    { details: { ...e.details, ids }, retryable: e.retryable, cause: e },
  );
}
