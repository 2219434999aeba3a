import type { EventContract } from '@switchboard/contracts';
import type { z } from 'zod';
import type { BatchCutter } from './batch-queue.js';
import type { MessageMeta } from './message-meta.js';

export interface Delivery {
  /** 1 on first delivery. */
  deliveryCount: number;
  streamSeq: number;
  /** Tells the server the message is still being worked on (extends the ack deadline). */
  working(): void;
}

export interface DurableItem<P> {
  payload: P;
  meta: MessageMeta;
  delivery: Delivery;
}

export interface DurableBase<E extends EventContract> {
  contract: E;
  durable: string;
  /** Defaults to the contract's wildcard pattern. */
  filterSubject?: string;
  /**
   * Where a durable created now starts reading: `all` (default) the stream's stored messages, `new`
   * only what is published from now on (a consumer added to a stream with days of history that it has
   * no use for). Applies when the durable is created; an existing one keeps its place.
   */
  deliverPolicy?: 'all' | 'new';
  ackWaitMs: number;
  maxDeliver: number;
  /** Redelivery delays after a retryable failure, by attempt (the last one repeats). */
  retryDelaysMs: number[];
  /**
   * Called before a message is dead-lettered (invalid payload, permanent failure, last attempt), so
   * the owner can close what the message started (e.g. end a task as failed). Failures are logged.
   */
  onDeadLetter?: (dead: DeadLetter) => Promise<void>;
}

/** A message being given up on. */
export interface DeadLetter {
  /** The decoded payload as received (it may not match the contract). */
  raw: unknown;
  meta: MessageMeta;
  reason: string;
  /** What the handler threw, if it ran; a permanent error is a non-retryable DomainError. */
  error?: unknown;
}

export interface DurableOptions<E extends EventContract> extends DurableBase<E> {
  /** Messages handled at once (and the consumer's max_ack_pending). */
  concurrency: number;
  handle: (item: DurableItem<z.infer<E['payload']>>) => Promise<void>;
}

export interface DurableBatchOptions<E extends EventContract> extends DurableBase<E> {
  /** Most messages handed to one `handleBatch` call; batches form naturally under load. */
  maxBatch: number;
  /**
   * After the first message of a batch arrives, wait up to this long for more (unless maxBatch is
   * reached first). Trades a little delay for fewer, larger batches when traffic trickles in.
   */
  lingerMs?: number;
  /**
   * Ends the linger early: a fresh cutter per batch, fed each message once, says when the batch may go
   * (e.g. once every task it holds has ended: nothing more of them is coming).
   */
  cutter?: () => BatchCutter<DurableItem<z.infer<E['payload']>>>;
  handleBatch: (items: DurableItem<z.infer<E['payload']>>[]) => Promise<void>;
}

export interface ReplayedMessage {
  subject: string;
  streamSeq: number;
  pending: number;
  data: unknown;
}
