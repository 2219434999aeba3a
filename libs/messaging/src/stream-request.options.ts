import type { CommandContract, EventContract } from '@switchboard/contracts';
import type { z } from 'zod';
import type { OutgoingOptions } from './message-meta.js';

/** How a caller of `NatsBus.requestStream` bounds and ends one streamed request. */
export interface StreamRequestOptions extends OutgoingOptions {
  /** Wait for the first part (default: the contract's timeoutMs). */
  timeoutMs?: number;
  /** Longest silence between two parts once the first arrived (default: `timeoutMs`); heartbeats aside. */
  idleTimeoutMs?: number;
  /**
   * Heartbeats the responder may miss (it announces its interval in each) before the stream fails
   * with UPSTREAM_UNAVAILABLE; default STREAM_HEARTBEAT_MISSES. Not applied before the first one.
   */
  heartbeatMisses?: number;
  /**
   * When this client's connection dropped before the responder said anything: how long after it is
   * back the responder has to show it holds the request before the stream fails with
   * UPSTREAM_UNAVAILABLE (the request was lost with the connection); default STREAM_LOST_GRACE_MS.
   */
  lostGraceMs?: number;
  /** Aborting it ends the iteration with the signal's reason, and cancels the stream. */
  signal?: AbortSignal;
  /**
   * Published with the stream's id (the request envelope's `id`) as its one token when the caller stops
   * before the stream ended — by leaving the loop, a timeout or the signal — so the responder stops too.
   */
  cancel?: EventContract<z.ZodType, readonly [string]>;
}

/** The parts a streamed request yields: everything but the closing `end` and `error`, and heartbeats. */
export type StreamItem<C extends CommandContract> = Exclude<
  z.infer<C['response']>,
  { kind: 'end' } | { kind: 'error' } | { kind: 'heartbeat' }
>;
