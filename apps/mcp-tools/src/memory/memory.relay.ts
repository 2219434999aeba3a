import { Tools } from '@switchboard/contracts';
import { CommandRelay, relay, relayCall } from '@switchboard/messaging';
import { MemoryStore } from './memory-store.service.js';
import { UpdateMemoryUseCase } from './update-memory/update-memory.use-case.js';

/**
 * The memory store's NATS commands (the planner's recall, the gateway's HTTP API): each is one call
 * of the store, which decides what the acting user may do, or the edit's use case.
 */
export class MemoryRelay extends CommandRelay(
  relayCall(Tools.MemorySearch, MemoryStore, async (store, req, actor) => ({
    items: await store.search(actor, req),
  })),
  relayCall(Tools.MemoryList, MemoryStore, async (store, req, actor) => ({
    items: await store.list(actor, req.namespace, req.limit),
  })),
  relayCall(Tools.MemoryForgetUser, MemoryStore, (store, req, actor) =>
    store.forgetUser(actor, req.userId),
  ),
  relayCall(Tools.MemoryForgetTenant, MemoryStore, (store, req, actor) =>
    store.forgetTenant(actor, req.tenantId),
  ),
  relayCall(Tools.MemoryForgetNamespace, MemoryStore, (store, req, actor) =>
    store.forgetNamespace(actor, req.namespace),
  ),
  relayCall(Tools.MemoryDelete, MemoryStore, (store, req, actor) => store.delete(actor, req.id)),
  relay(Tools.MemoryUpdate, UpdateMemoryUseCase),
) {}
