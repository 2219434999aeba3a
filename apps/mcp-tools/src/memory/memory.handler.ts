import { Controller } from '@nestjs/common';
import { type RequestOf, type ResponseOf, Tools } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { MemoryStore } from './memory-store.service.js';
import { UpdateMemoryUseCase } from './update-memory/update-memory.use-case.js';

/** NATS adapter for the memory store: parse → store → reply; the actor comes from headers. */
@Controller()
export class MemoryHandler {
  constructor(
    private readonly store: MemoryStore,
    private readonly updateMemory: UpdateMemoryUseCase,
  ) {}

  @HandleCommand(Tools.MemorySearch)
  async search(
    req: RequestOf<typeof Tools.MemorySearch>,
    meta: MessageMeta,
  ): Promise<ResponseOf<typeof Tools.MemorySearch>> {
    return {
      items: await this.store.search(
        requireActor(meta.actor),
        req.query,
        req.namespaces,
        req.limit,
      ),
    };
  }

  @HandleCommand(Tools.MemoryList)
  async list(
    req: RequestOf<typeof Tools.MemoryList>,
    meta: MessageMeta,
  ): Promise<ResponseOf<typeof Tools.MemoryList>> {
    return { items: await this.store.list(requireActor(meta.actor), req.namespace, req.limit) };
  }

  @HandleCommand(Tools.MemoryForgetUser)
  forgetUser(
    req: RequestOf<typeof Tools.MemoryForgetUser>,
    meta: MessageMeta,
  ): Promise<ResponseOf<typeof Tools.MemoryForgetUser>> {
    return this.store.forgetUser(requireActor(meta.actor), req.userId);
  }

  @HandleCommand(Tools.MemoryForgetTenant)
  forgetTenant(
    req: RequestOf<typeof Tools.MemoryForgetTenant>,
    meta: MessageMeta,
  ): Promise<ResponseOf<typeof Tools.MemoryForgetTenant>> {
    return this.store.forgetTenant(requireActor(meta.actor), req.tenantId);
  }

  @HandleCommand(Tools.MemoryForgetNamespace)
  forgetNamespace(
    req: RequestOf<typeof Tools.MemoryForgetNamespace>,
    meta: MessageMeta,
  ): Promise<ResponseOf<typeof Tools.MemoryForgetNamespace>> {
    return this.store.forgetNamespace(requireActor(meta.actor), req.namespace);
  }

  @HandleCommand(Tools.MemoryDelete)
  delete(
    req: RequestOf<typeof Tools.MemoryDelete>,
    meta: MessageMeta,
  ): Promise<ResponseOf<typeof Tools.MemoryDelete>> {
    return this.store.delete(requireActor(meta.actor), req.id);
  }

  @HandleCommand(Tools.MemoryUpdate)
  update(
    req: RequestOf<typeof Tools.MemoryUpdate>,
    meta: MessageMeta,
  ): Promise<ResponseOf<typeof Tools.MemoryUpdate>> {
    return this.updateMemory.execute(requireActor(meta.actor), req);
  }
}
