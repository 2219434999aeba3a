import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, Schedules, tenantOf } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { randomUUID } from 'node:crypto';
import { CheckWebhookTargetUseCase } from '../../webhooks/check-webhook-target/check-webhook-target.use-case.js';
import { ScheduleClock } from '../schedule-clock.js';
import { firstDueAt } from '../schedule-plan.js';
import { ScheduleRepository } from '../schedule.repository.js';
import { auditScheduleChange } from '../schedule-audit.js';

/**
 * Creates a schedule owned by the acting user, in their tenant (docs/schedules.md). Its first due
 * time is the first one after now on the schedules' clock (ScheduleClock); a `webhook` must pass
 * the URL policy now, as a task request's must at the gateway (and each delivery is checked again).
 * Audited.
 */
@Injectable()
export class CreateScheduleUseCase {
  constructor(
    private readonly repository: ScheduleRepository,
    private readonly target: CheckWebhookTargetUseCase,
    private readonly audit: AuditTrail,
    private readonly clock: ScheduleClock,
  ) {}

  async execute(
    req: Schedules.ScheduleCreateRequest,
    actor: Actor,
  ): Promise<Schedules.ScheduleView> {
    const { cron, timezone, at, catchUp, ...task } = req;
    const request = Schedules.taskRequestOf(task);
    if (request.webhook) await this.target.execute(request.webhook.url, 'webhook.url', actor);
    const timing = {
      cron: cron ?? null,
      timezone: cron ? (timezone ?? 'UTC') : null,
      at: at ? new Date(at) : null,
    };
    const nextDueAt = firstDueAt(timing, this.clock.now());
    if (!nextDueAt)
      throw new DomainError('VALIDATION', 'at: must be in the future', {
        details: { issues: [{ path: 'at', message: 'must be in the future' }] },
      });
    const view = await this.repository.create({
      id: randomUUID(),
      tenantId: tenantOf(actor),
      userId: actor.userId,
      role: actor.role,
      request,
      ...timing,
      catchUp,
      nextDueAt,
    });
    auditScheduleChange(this.audit, 'schedule.create', view, actor, {
      ...(cron ? { cron, timezone: timing.timezone } : { at: view.at }),
      catchUp,
      nextDueAt: view.nextDueAt,
      length: request.task.length,
      ...(request.thread_id ? { threadId: request.thread_id } : {}),
    });
    return view;
  }
}
