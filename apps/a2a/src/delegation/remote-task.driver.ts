import { A2a, DomainError } from '@switchboard/contracts';
import type { DelegationRun } from './delegation-run.js';
import { isTransient } from './agent-resilience.js';
import type { PushWaiter } from './push-inbox.js';
import type {
  OutgoingMessage,
  RemoteAgentPort,
  RemoteConnection,
  RemoteEvent,
  RemoteTaskSnapshot,
} from './remote-agent.port.js';

export interface StatusNotice {
  state: string;
  remoteTaskId: string | undefined;
  text: string | undefined;
}

export interface DriveInput {
  connection: RemoteConnection;
  mode: A2a.DelegationMode;
  message: OutgoingMessage;
  /** The agent's task this delegation already started (elsewhere): followed by GetTask, not sent. */
  follow?: string;
  run: DelegationRun;
  /** Mode `push`: the mailbox whose notifications say when to read the task (GetTask). */
  push?: PushWaiter;
  onStatus: (notice: StatusNotice) => void;
}

export interface DriveOutcome {
  state: string;
  remoteTaskId: string | undefined;
  contextId: string | undefined;
  text: string;
  artifacts: A2a.DelegatedArtifact[];
}

export interface DriverOptions {
  pollIntervalMs: number;
  /** Consecutive transient GetTask failures tolerated while polling. */
  maxPollFailures: number;
  /** Mode `push`: GetTask this long after the last notification or read, a notification lost. */
  pushSafetyPollMs: number;
}

const FINAL: ReadonlySet<string> = new Set(A2a.FINAL_REMOTE_STATES);

/**
 * Follows one remote task to a final state: by SendStreamingMessage (`stream`), by SendMessage with
 * returnImmediately then GetTask polling (`poll`), or by SendMessage with returnImmediately and a push
 * notification config, then GetTask each time the agent notifies (`push`: nothing held open while the
 * agent works; a slow safety GetTask covers a notification lost). A stream that ends early, or breaks off for a
 * transient reason once the task exists, falls back to polling.
 * Status changes are reported as they are seen. Failures before the remote task exists keep their
 * retryability; after it exists they carry its id and are never retried here (a retry would start a
 * second remote task), though a transient one still tells the caller it may try again later.
 */
export class RemoteTaskDriver {
  constructor(
    private readonly port: RemoteAgentPort,
    private readonly options: DriverOptions,
  ) {}

  async drive(input: DriveInput): Promise<DriveOutcome> {
    const tracker = new TaskTracker(input);
    try {
      if (input.follow) {
        tracker.apply({
          kind: 'task',
          task: await this.port.getTask(input.connection, input.follow, input.run.signal),
        });
      } else if (input.mode === 'stream') {
        try {
          for await (const ev of this.port.stream(
            input.connection,
            input.message,
            input.run.signal,
          )) {
            tracker.apply(ev);
            if (tracker.final) break;
          }
        } catch (e) {
          // A stream that breaks off for a transient reason (the bridge, the connection, a long
          // silence) once the task exists: GetTask still follows the task (polling, below).
          if (!tracker.remoteTaskId || input.run.signal.aborted || !isTransient(e)) throw e;
        }
      } else {
        tracker.apply(
          await this.port.send(input.connection, input.message, {
            returnImmediately: true,
            signal: input.run.signal,
            ...(input.push ? { push: input.push.target } : {}),
          }),
        );
      }
      if (!tracker.final && !tracker.remoteTaskId) {
        throw new DomainError(
          'UPSTREAM_ERROR',
          'the agent ended the exchange without a task or an answer',
        );
      }
      await this.pollUntilFinal(input, tracker);
    } catch (e) {
      // Still retryable for whoever asked (the platform is what failed, not the task), but marked
      // with the remote task: the retry policy here never resends it (that would start a second task).
      throw tracker.remoteTaskId && isTransient(e)
        ? new DomainError((e as DomainError).code, (e as DomainError).message, {
            retryable: true,
            details: { ...(e as DomainError).details, remoteTaskId: tracker.remoteTaskId },
          })
        : e;
    }
    return tracker.outcome();
  }

  /**
   * GetTask until the task is final: after each polling interval, or — in push mode — after each
   * notification (or the safety interval without one).
   */
  private async pollUntilFinal(input: DriveInput, tracker: TaskTracker): Promise<void> {
    const { push } = input;
    const wait = push
      ? () => push.next(this.options.pushSafetyPollMs, input.run.signal)
      : () => sleep(this.options.pollIntervalMs, input.run.signal);
    let failures = 0;
    while (!tracker.final) {
      await wait();
      let snapshot: RemoteTaskSnapshot;
      try {
        snapshot = await this.port.getTask(
          input.connection,
          tracker.remoteTaskId as string,
          input.run.signal,
        );
      } catch (e) {
        // GetTask is idempotent: a transient failure is tolerated a few times in a row.
        if (isTransient(e) && ++failures < this.options.maxPollFailures) continue;
        throw e;
      }
      failures = 0;
      tracker.apply({ kind: 'task', task: snapshot });
    }
  }
}

/** Accumulates what the agent said about its task. */
class TaskTracker {
  remoteTaskId: string | undefined;
  private contextId: string | undefined;
  private state = 'TASK_STATE_SUBMITTED';
  private statusText: string | undefined;
  private messageText: string | undefined;
  private readonly artifacts = new Map<string, A2a.DelegatedArtifact>();
  private reported: string | undefined;

  constructor(private readonly input: DriveInput) {
    this.answering = input.message.onTask !== undefined && !input.follow;
  }

  /**
   * A reply on the agent's task that asked for input: its INPUT_REQUIRED is the question answered, not
   * a new one, until the agent was seen to take the reply up (any other state).
   */
  private answering: boolean;

  get final(): boolean {
    if (this.answering && this.state === 'TASK_STATE_INPUT_REQUIRED') return false;
    return FINAL.has(this.state);
  }

  apply(ev: RemoteEvent): void {
    switch (ev.kind) {
      case 'task':
        this.known(ev.task.taskId, ev.task.contextId);
        for (const a of ev.task.artifacts) this.artifacts.set(a.artifactId, a);
        this.status(ev.task.state, ev.task.statusText);
        break;
      case 'status':
        this.known(ev.taskId, ev.contextId);
        this.status(ev.state, ev.text);
        break;
      case 'artifact': {
        this.known(ev.taskId, undefined);
        const existing = this.artifacts.get(ev.artifact.artifactId);
        this.artifacts.set(
          ev.artifact.artifactId,
          ev.append && existing
            ? { ...existing, parts: [...existing.parts, ...ev.artifact.parts] }
            : ev.artifact,
        );
        break;
      }
      case 'message':
        // A direct answer without a task: the exchange is complete.
        this.contextId = ev.contextId || this.contextId;
        this.messageText = ev.text;
        this.state = 'TASK_STATE_COMPLETED';
        break;
    }
  }

  outcome(): DriveOutcome {
    const artifacts = [...this.artifacts.values()];
    const artifactText = artifacts
      .flatMap((a) => a.parts.map((p) => p.text ?? ''))
      .filter(Boolean)
      .join('\n');
    // An agent that asks for input asks in its status message: that is what a person must answer.
    const asking = this.state === 'TASK_STATE_INPUT_REQUIRED' && this.statusText;
    return {
      state: this.state,
      remoteTaskId: this.remoteTaskId,
      contextId: this.contextId,
      text: (asking ? this.statusText : artifactText) || this.statusText || this.messageText || '',
      artifacts,
    };
  }

  private known(taskId: string, contextId: string | undefined): void {
    if (!taskId) return;
    if (this.remoteTaskId && this.remoteTaskId !== taskId) {
      throw new DomainError(
        'UPSTREAM_ERROR',
        `the agent switched tasks mid-exchange (${this.remoteTaskId} then ${taskId})`,
      );
    }
    if (!this.remoteTaskId) {
      this.remoteTaskId = taskId;
      this.input.run.remoteTaskKnown(taskId);
    }
    if (contextId) this.contextId = contextId;
  }

  private status(state: string, text: string | undefined): void {
    if (state !== 'TASK_STATE_INPUT_REQUIRED') this.answering = false;
    this.state = state;
    if (text !== undefined) this.statusText = text;
    const key = `${state}\u0000${text ?? ''}`;
    if (key === this.reported) return;
    this.reported = key;
    this.input.onStatus({ state, remoteTaskId: this.remoteTaskId, text: text?.slice(0, 2_000) });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
