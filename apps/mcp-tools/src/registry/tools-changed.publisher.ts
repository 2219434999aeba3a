import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Tools } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { ToolRegistry } from './tool-registry.service.js';

/**
 * Announces changes of the tools on offer (`Tools.ToolsChanged`): every registry change, a user's
 * authorization changes, and changes of approval policy overrides. At most once: caches are invalidated on their own; this only tells sessions
 * (the gateway's MCP endpoint) to re-list.
 */
@Injectable()
export class ToolsChangedPublisher implements OnModuleInit, OnModuleDestroy {
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly registry: ToolRegistry,
    private readonly bus: NatsBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.registry.onChange((registryVersion) =>
      this.publish({ reason: 'registry', registryVersion }),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  authorizationsChanged(userId: string): void {
    this.publish({ reason: 'authorizations', userId, registryVersion: this.registry.version });
  }

  /**
   * An approval policy override changed: every user's manifests carry it (their cache keys include the
   * overrides, so they are rebuilt); sessions re-list to see it.
   */
  approvalPoliciesChanged(): void {
    this.publish({ reason: 'registry', registryVersion: this.registry.version });
  }

  private publish(change: {
    reason: 'registry' | 'authorizations';
    userId?: string;
    registryVersion: string;
  }): void {
    try {
      this.bus.publish(Tools.ToolsChanged, [], { ...change, at: new Date().toISOString() });
    } catch (e) {
      this.logger.warn(
        { err: e, reason: change.reason },
        'could not announce a change of the tools on offer',
      );
    }
  }
}
