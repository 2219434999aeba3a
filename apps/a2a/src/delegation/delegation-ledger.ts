import { Inject, Injectable, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import {
  A2a,
  type Actor,
  DelegationStateStream,
  DomainError,
  errorBodyOf,
  streamsSetUpBy,
  tenantOf,
} from '@switchboard/contracts';
import { AuditTrail, JetStreamService } from '@switchboard/messaging';
import {
  LOGGER,
  type Logger,
  SERVICE_IDENTITY,
  type ServiceIdentity,
} from '@switchboard/observability';
import { LRUCache } from 'lru-cache';
import { setTimeout as delay } from 'node:timers/promises';
import type { A2aEnv } from '../config/a2a.env.js';
import { auditOtherTenant, recordTenant } from './delegation-tenancy.js';

/** How long a finished delegation's outcome answers a repeat of it from memory. */
const FINISHED_TTL_MS = 15 * 60_000;
/** Finished outcomes kept in memory at most (the oldest go first). */
const MAX_FINISHED = 10_000;
/** How often the replica running a delegation renews its record: A2A_DELEGATION_RENEW_MS's default. */
export const RECORD_RENEW_MS = 2_000;
/** Renewals a running record may miss before it is taken for a replica that is gone. */
const STALE_AFTER_RENEWALS = 3;
/** How often a replica waiting for another one's delegation reads its record. */
const WAIT_POLL_MS = 500;

interface Entry {
  delegationId: string;
  taskId: string;
  /** Who runs it (within the tenant of the slot it is kept under). */
  userId: string;
  outcome: Promise<A2a.DelegationResult>;
}

/** What a repeat finds of the delegation it repeats, when this replica does not run it. */
export type Recorded =
  /** Its outcome (or failure): the answer, without asking the agent again. */
  | { kind: 'outcome'; outcome: Promise<A2a.DelegationResult> }
  /** Its replica is gone: carry on with it, following the agent's task when it was named. */
  | { kind: 'take-over'; remoteTaskId: string | undefined }
  /** Nothing recorded: a new delegation, or one that never reached the agent. */
  | { kind: 'none' };

/**
 * The keyed delegations (`idempotencyKey`): a repeat — the orchestrator asking again after a lost
 * reply or a NATS outage, or resuming the task after a crash — is attached to the delegation still
 * running here, or answered with its outcome, and the agent is not asked twice. Across replicas, the
 * one running a delegation records where it stands on SB_DELEGATIONS (its start, the agent's task,
 * a renewal every A2A_DELEGATION_RENEW_MS, its outcome): a replica that gets a repeat it does not run
 * reads the record, waits for a replica that is alive, and takes over from one that is gone (three
 * renewals missed).
 *
 * A delegation belongs to the tenant of the actor who asked for it: keys are the tenant's (the same key
 * in another tenant is another delegation), its record names the tenant (`tenantId`), and a repeat
 * from another tenant finds nothing — it is answered as a delegation never recorded, and audited.
 */
@Injectable()
export class DelegationLedger implements OnApplicationBootstrap {
  private readonly running = new Map<string, Entry>();
  private readonly finished = new LRUCache<string, Entry>({
    max: MAX_FINISHED,
    ttl: FINISHED_TTL_MS,
  });

  private readonly renewMs: number;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly audit: AuditTrail,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(APP_CONFIG) config?: Pick<A2aEnv, 'A2A_DELEGATION_RENEW_MS'>,
  ) {
    this.renewMs = config?.A2A_DELEGATION_RENEW_MS ?? RECORD_RENEW_MS;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jetstream.ensureStreams(streamsSetUpBy('a2a'));
  }

  /**
   * The outcome of the delegation `request` repeats, when this replica runs or ran it; undefined when
   * it does not know it. A key reused by another user, task or delegation is refused.
   */
  find(request: A2a.DelegateRequest, actor: Actor): Promise<A2a.DelegationResult> | undefined {
    const key = request.idempotencyKey;
    if (!key) return undefined;
    const slot = slotOf(actor, key);
    const entry = this.running.get(slot) ?? this.finished.get(slot);
    if (!entry) return undefined;
    assertSame(request, actor, entry);
    return entry.outcome;
  }

  /**
   * What the record of a repeated delegation says (see Recorded), waiting — up to `waitMs` — while
   * another replica that is alive runs it.
   */
  async recorded(request: A2a.DelegateRequest, actor: Actor, waitMs: number): Promise<Recorded> {
    const until = Date.now() + waitMs;
    for (;;) {
      const record = await this.read(request.delegationId);
      if (!record) return { kind: 'none' };
      if (recordTenant(record) !== tenantOf(actor)) {
        const { delegationId } = request;
        auditOtherTenant(this.audit, actor, { operation: 'repeat', delegationId });
        return { kind: 'none' };
      }
      assertSame(request, actor, record);
      if (record.state === 'finished') {
        const outcome = record.result
          ? Promise.resolve(record.result)
          : Promise.reject(DomainError.fromBody(record.error ?? lostOutcome()));
        outcome.catch(() => undefined);
        return { kind: 'outcome', outcome };
      }
      const stale = Date.now() - Date.parse(record.at) > STALE_AFTER_RENEWALS * this.renewMs;
      if (stale || record.owner === this.identity.instance || Date.now() >= until)
        return { kind: 'take-over', remoteTaskId: record.remoteTaskId };
      await delay(WAIT_POLL_MS);
    }
  }

  /**
   * Runs a new delegation; with a key its outcome (or failure) answers its repeats, here and — through
   * its record — on every replica. `remoteTaskId()` says the agent's task once known.
   */
  start(
    request: A2a.DelegateRequest,
    actor: Actor,
    run: () => Promise<A2a.DelegationResult>,
    remoteTaskId: () => string | undefined,
  ): Promise<A2a.DelegationResult> {
    const key = request.idempotencyKey;
    if (!key) return run();
    const { userId } = actor;
    const write = (state: Partial<A2a.DelegationRecord>) =>
      this.write(
        {
          delegationId: request.delegationId,
          taskId: request.taskId,
          userId,
          tenantId: tenantOf(actor),
          agent: request.agent,
          owner: this.identity.instance,
          state: 'running',
          at: new Date().toISOString(),
          ...(remoteTaskId() ? { remoteTaskId: remoteTaskId() } : {}),
          ...state,
        },
        actor,
      );
    void write({});
    const renewal = setInterval(() => void write({}), this.renewMs);
    renewal.unref();
    const outcome = run();
    const entry: Entry = {
      delegationId: request.delegationId,
      taskId: request.taskId,
      userId,
      outcome,
    };
    const slot = slotOf(actor, key);
    this.running.set(slot, entry);
    const settle = (end: { result: A2a.DelegationResult } | { error: unknown }) => {
      clearInterval(renewal);
      this.running.delete(slot);
      this.finished.set(slot, entry);
      void write({
        state: 'finished',
        ...('result' in end
          ? { result: end.result }
          : { error: errorBodyOf(end.error, 'the delegation failed unexpectedly') }),
      });
    };
    outcome.then(
      (result) => settle({ result }),
      (error: unknown) => settle({ error }),
    );
    return outcome;
  }

  /** Delegations running here (they answer their repeats until they end). */
  get size(): number {
    return this.running.size;
  }

  private async read(delegationId: string): Promise<A2a.DelegationRecord | undefined> {
    try {
      const last = await this.jetstream.lastMessage(
        DelegationStateStream,
        A2a.DelegationState.subject(delegationId),
      );
      const parsed = A2a.DelegationRecord.safeParse(last?.data);
      return parsed.success ? parsed.data : undefined;
    } catch (e) {
      this.logger.warn({ err: e, delegationId }, 'could not read the record of a delegation');
      return undefined;
    }
  }

  /**
   * Records where a delegation stands, as its actor (the stored message's headers name their tenant
   * too, renewals included); a record that cannot be written is logged, never fatal.
   */
  private async write(record: A2a.DelegationRecord, actor: Actor): Promise<void> {
    try {
      await this.jetstream.publish(A2a.DelegationState, [record.delegationId], record, {
        msgId: `${record.delegationId}:${record.state}:${record.at}`,
        actor,
      });
    } catch (e) {
      this.logger.warn(
        { err: e, delegationId: record.delegationId, state: record.state },
        'could not record where a delegation stands',
      );
    }
  }
}

/** Where a keyed delegation is kept in memory: its tenant and key ("/" is in no tenant id). */
const slotOf = (actor: Actor, key: string): string => `${tenantOf(actor)}/${key}`;

function assertSame(
  request: A2a.DelegateRequest,
  actor: Actor,
  known: Pick<Entry, 'delegationId' | 'taskId' | 'userId'>,
): void {
  if (
    known.userId !== actor.userId ||
    known.taskId !== request.taskId ||
    known.delegationId !== request.delegationId
  ) {
    throw new DomainError('CONFLICT', 'idempotency key already used for another delegation', {
      details: { idempotencyKey: request.idempotencyKey },
    });
  }
}

function lostOutcome() {
  return {
    code: 'INTERNAL' as const,
    message: 'the delegation ended without a recorded outcome',
    retryable: false,
  };
}
