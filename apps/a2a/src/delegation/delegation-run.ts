import { DomainError } from '@switchboard/contracts';

/** How long a cancelled delegation waits for the remote task id (to send CancelTask) before giving up on it. */
const CANCEL_GRACE_MS = 3_000;

/**
 * Cancellation state of one running delegation. A cancel must reach the agent as CancelTask, which
 * needs the remote task id: when it is not known yet the in-flight call is left to return it (up to a
 * grace period), and only then aborted.
 */
export class DelegationRun {
  private readonly controller = new AbortController();
  private graceTimer: NodeJS.Timeout | undefined;
  private reason: DomainError | undefined;
  private remote: string | undefined;

  constructor(
    readonly delegationId: string,
    readonly taskId: string,
    readonly agent: string,
    /** The tenant of the actor who asked for it: only that tenant (or the platform operator) stops it. */
    readonly tenantId: string,
  ) {}

  /** Aborts in-flight HTTP of this delegation (SDK calls and polling waits). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get cancelled(): DomainError | undefined {
    return this.reason;
  }

  get remoteTaskId(): string | undefined {
    return this.remote;
  }

  /** Stops the delegation: `CANCELLED` for a user's cancel, `TIMEOUT` for the deadline. */
  cancel(reason: DomainError): void {
    if (this.reason) return;
    this.reason = reason;
    if (this.remote) this.controller.abort(reason);
    else this.graceTimer = setTimeout(() => this.controller.abort(reason), CANCEL_GRACE_MS);
  }

  /** The agent created its task: from now on a cancel aborts at once. */
  remoteTaskKnown(taskId: string): void {
    this.remote ??= taskId;
    if (this.reason && !this.controller.signal.aborted) this.controller.abort(this.reason);
  }

  dispose(): void {
    clearTimeout(this.graceTimer);
  }
}

export function cancelledBy(reason: string): DomainError {
  return new DomainError('CANCELLED', `delegation cancelled: ${reason}`);
}
