import { Body, Controller, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { A2a, DomainError, isDomainError, parseOrThrow } from '@switchboard/contracts';
import { AuditTrail, NatsBus, NoRespondersError } from '@switchboard/messaging';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { requestIdOf } from '../http/request-id.js';
import { AuthFailureLimiter } from '../limits/auth-failure-limiter.js';
import { rateLimited } from '../limits/rate-limiter.js';

/** The header A2A agents put a push notification config's token in (A2A 1.0, @a2a-js/sdk). */
export const NOTIFICATION_TOKEN_HEADER = 'x-a2a-notification-token';

/**
 * The public callback of the platform's A2A client (docs/a2a.md, "Push notifications from remote
 * agents"): a remote agent that took a delegation in push mode notifies here about its task. No user
 * authentication — the agent has none of ours — but the per-delegation token the a2a replica running
 * the delegation gave the agent, which only that replica can check (it gets the token's sha256 over
 * NATS, on the delegation's own subject). The body only wakes the delegation: a2a reads the task with
 * GetTask, so a notification cannot make up a result, and a wrong token or another task's id changes
 * nothing. 401 for a missing or wrong token, 403 for another task, 404 when no delegation of that id
 * is waiting. The 401s and 403s count per client address with the refused authentications
 * (AUTH_FAILURE_LIMIT, shared by every replica) and are audited (`a2a.notification.refused`, never
 * with the token); beyond the limit the address gets 429 for the rest of the window.
 */
@Controller('a2a/notifications')
export class A2aNotificationsController {
  constructor(
    private readonly bus: NatsBus,
    private readonly failures: AuthFailureLimiter,
    private readonly audit: AuditTrail,
  ) {}

  @Post(':delegationId')
  @HttpCode(200)
  async notify(
    @Param('delegationId') id: string,
    @Headers(NOTIFICATION_TOKEN_HEADER) token: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<{ accepted: true }> {
    const delegationId = parseOrThrow(A2a.DelegationId, id, 'delegation id');
    try {
      if (!token || token.length > 512)
        throw new DomainError(
          'UNAUTHORIZED',
          `the notification needs its ${NOTIFICATION_TOKEN_HEADER}`,
        );
      const remoteTaskId = taskIdOf(body);
      return await this.bus.request(A2a.DelegationNotified, {
        delegationId,
        tokenHash: createHash('sha256').update(token).digest('hex'),
        ...(remoteTaskId ? { remoteTaskId } : {}),
      });
    } catch (e) {
      const refusal =
        e instanceof NoRespondersError
          ? new DomainError('NOT_FOUND', `no delegation ${delegationId} waits for notifications`)
          : e;
      if (isDomainError(refusal) && REFUSALS.has(refusal.code))
        await this.refused(request, delegationId, refusal);
      throw refusal;
    }
  }

  /** Counts and audits a refused notification; beyond the address's limit, 429 instead. */
  private async refused(
    request: FastifyRequest,
    delegationId: string,
    e: DomainError,
  ): Promise<void> {
    const verdict = await this.failures.refused(request.ip);
    if (verdict.limited && !verdict.first)
      throw rateLimited(
        `too many refused notifications from this address; retry in ${verdict.retryAfterSeconds} s`,
        verdict.retryAfterSeconds,
        'auth',
      );
    void this.audit.record({
      category: 'auth',
      outcome: 'denied',
      action: verdict.limited ? 'auth.limited' : 'a2a.notification.refused',
      resource: `POST /a2a/notifications/${delegationId}`,
      correlationId: requestIdOf(request),
      actor: {},
      details: { code: e.code, ip: request.ip, delegationId },
    });
    if (verdict.limited)
      throw rateLimited(
        `too many refused notifications from this address; retry in ${verdict.retryAfterSeconds} s`,
        verdict.retryAfterSeconds,
        'auth',
      );
  }
}

/**
 * What a notification is refused with, counted per address. Not NOT_FOUND: an agent goes on notifying
 * about its task after the delegation ended (it cannot know), and must not lock itself out by that.
 */
const REFUSALS: ReadonlySet<string> = new Set(['UNAUTHORIZED', 'FORBIDDEN']);

/**
 * The task a notification is about: A2A 1.0 sends a StreamResponse (`task.id`,
 * `statusUpdate.taskId`, …), 0.3 the Task itself (`id`) or an event (`taskId`).
 */
export function taskIdOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const inner = ['task', 'statusUpdate', 'artifactUpdate', 'message']
    .map((k) => b[k])
    .find((v): v is Record<string, unknown> => !!v && typeof v === 'object');
  const candidate = inner
    ? (inner['id'] ?? inner['taskId'])
    : b['kind'] === 'task'
      ? b['id']
      : b['taskId'];
  return typeof candidate === 'string' && candidate.length > 0 && candidate.length <= 512
    ? candidate
    : undefined;
}
