import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, isAdmin, tenantOf, Webhooks } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { scopeOf } from '../../tenancy/tenant-scope.js';
import { CheckWebhookTargetUseCase } from '../../webhooks/check-webhook-target/check-webhook-target.use-case.js';
import { shownUrl } from '../../webhooks/webhook-url.js';
import { A2aPushConfigRepository, type PushTask } from '../a2a-push-config.repository.js';

const taskNotFound = (taskId: string) => new DomainError('NOT_FOUND', `task ${taskId} not found`);

/**
 * A task's A2A push notification configs (docs/a2a.md): its owner, or an admin of its tenant, sets,
 * reads, lists and deletes them; anyone else is told the task does not exist, as GET /tasks/{id}
 * does. A config's URL passes the webhooks' URL policy when it is set (and again before every
 * delivery), a refusal naming `url`. Changes are audited, never with the token or credentials.
 */
@Injectable()
export class ManagePushConfigsUseCase {
  constructor(
    private readonly configs: A2aPushConfigRepository,
    private readonly target: CheckWebhookTargetUseCase,
    private readonly audit: AuditTrail,
  ) {}

  async set(
    req: Webhooks.A2aPushConfigSetRequest,
    actor: Actor,
  ): Promise<Webhooks.A2aPushConfigView> {
    const task = await this.taskFor(req.taskId, actor, req.submitting);
    await this.target.execute(req.url, 'url', actor);
    const view = await this.configs.set(task, req);
    this.record(actor, task, 'a2a.push.set', {
      configId: view.configId,
      url: shownUrl(view.url),
      wireVersion: view.wireVersion,
      ...(view.authentication ? { authScheme: view.authentication.scheme } : {}),
    });
    return view;
  }

  async get(taskId: string, configId: string, actor: Actor): Promise<Webhooks.A2aPushConfigView> {
    await this.taskFor(taskId, actor);
    const view = await this.configs.get(taskId, configId);
    if (!view)
      throw new DomainError(
        'NOT_FOUND',
        `push notification config ${configId} not found on task ${taskId}`,
      );
    return view;
  }

  async list(
    req: { taskId: string; limit: number; after?: string | undefined },
    actor: Actor,
  ): Promise<{ configs: Webhooks.A2aPushConfigView[]; nextAfter?: string }> {
    await this.taskFor(req.taskId, actor);
    return this.configs.list(req.taskId, req.limit, req.after);
  }

  async delete(
    taskId: string,
    configId: string,
    actor: Actor,
  ): Promise<{ deleted: boolean; cancelledDeliveries: number }> {
    const task = await this.taskFor(taskId, actor);
    const cancelled = await this.configs.delete(taskId, configId);
    if (cancelled === undefined) return { deleted: false, cancelledDeliveries: 0 };
    this.record(actor, task, 'a2a.push.delete', { configId, cancelledDeliveries: cancelled });
    return { deleted: true, cancelledDeliveries: cancelled };
  }

  /**
   * The task, if the actor owns it or is an admin of its tenant; NOT_FOUND otherwise. A task the
   * actor is `submitting` has no row yet: it is taken as theirs, and the config only ever notifies
   * if the row that comes is (the enqueue statement matches the row's tenant and owner).
   */
  private async taskFor(taskId: string, actor: Actor, submitting = false): Promise<PushTask> {
    const task = await this.configs.task(taskId, scopeOf(actor));
    if (!task && submitting) return { taskId, tenantId: tenantOf(actor), userId: actor.userId };
    if (!task || (task.userId !== actor.userId && !isAdmin(actor))) throw taskNotFound(taskId);
    return task;
  }

  private record(
    actor: Actor,
    task: PushTask,
    action: string,
    details: Record<string, unknown>,
  ): void {
    void this.audit.record({
      category: 'webhook',
      action,
      outcome: 'success',
      resource: task.taskId,
      taskId: task.taskId,
      tenantId: task.tenantId,
      actor: { userId: actor.userId, role: actor.role },
      details: { owner: task.userId, ...details },
    });
  }
}
