import {
  type Actor,
  DomainError,
  type ErrorBody,
  isDomainError,
  type Tasks,
} from '@switchboard/contracts';
import type { TaskEventSequence } from '../tasks/task-event.stream.js';

export interface DispatchContext {
  taskId: string;
  actor: Actor;
  constraints: Tasks.ToolConstraints | undefined;
  events: TaskEventSequence;
  index: number;
  signal: AbortSignal;
  /** Remaining wall-time budget. */
  timeoutMs: number;
}

export type StepResult =
  | { ok: true; output: unknown; durationMs: number }
  | { ok: false; error: ErrorBody; durationMs: number };

/** Rejects as soon as `signal` aborts (the remote call itself is told separately, by broadcast). */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

export function abortError(signal: AbortSignal): DomainError {
  const reason: unknown = signal.reason;
  if (isDomainError(reason)) return reason;
  return new DomainError('CANCELLED', reason instanceof Error ? reason.message : 'cancelled');
}

export function toBody(e: unknown): ErrorBody {
  if (isDomainError(e)) return e.toBody();
  return { code: 'INTERNAL', message: 'step failed unexpectedly', retryable: false };
}
