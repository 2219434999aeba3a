import { type ConsumerMessages, DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import type { StreamContract } from '@switchboard/contracts';
import { decodeJson, unwrapEnvelope } from './codec.js';
import type { ReplayedMessage } from './durable.options.js';

/** How long one pull of a replay waits on the server unless configured (replayPullExpiresMs). */
export const REPLAY_PULL_EXPIRES_MS = 5_000;

/**
 * Reads the messages of `stream` matching `filterSubject` from the start (or from `startSeq`), then,
 * with `follow`, keeps delivering new ones until `stop()` (JetStreamService.replay).
 */
export async function replayStream(
  js: JetStreamClient,
  stream: StreamContract,
  filterSubject: string,
  opts: { follow: boolean; startSeq?: number; pullExpiresMs?: number | undefined },
): Promise<{ messages: AsyncIterable<ReplayedMessage>; stop(): Promise<void> }> {
  const { iter, pending, stop } = await openReplay(
    js,
    stream,
    filterSubject,
    opts.startSeq,
    opts.pullExpiresMs,
  );
  // Nothing stored yet and not following: finish at once.
  if (!opts.follow && pending === 0) {
    await stop();
    return { messages: emptyReplay(), stop };
  }
  const follow = opts.follow;
  async function* read(): AsyncGenerator<ReplayedMessage> {
    for await (const m of iter) {
      yield {
        subject: m.subject,
        streamSeq: m.seq,
        pending: m.info.pending,
        data: unwrapEnvelope(decodeJson(m.data)),
      };
      if (!follow && m.info.pending === 0) break;
    }
    await stop();
  }
  return { messages: read(), stop };
}

// An exhausted replay (nothing stored, not following).
async function* emptyReplay(): AsyncGenerator<ReplayedMessage> {
  yield* [];
}

/**
 * The raw side of a replay: nats.js's ordered consumer of `stream` on one filter, from the start (or
 * `startSeq`), read in stream order — ephemeral, in memory, unacknowledged. Should the server drop it
 * while its reader waits (an inactivity threshold crossed on a busy machine, a NATS restart), the
 * library creates it again after the last message delivered, where a plain ephemeral consumer would
 * leave its reader waiting forever. Pulls expire every `pullExpiresMs` (5 s), the server beating every
 * half of it, so a lost consumer is noticed within two missed heartbeats (5 s). `pending` is what was
 * stored when it was created; `stop()` drops it.
 */
export async function openReplay(
  js: JetStreamClient,
  stream: StreamContract,
  filterSubject: string,
  startSeq?: number,
  pullExpiresMs = REPLAY_PULL_EXPIRES_MS,
): Promise<{ iter: ConsumerMessages; pending: number; stop(): Promise<void> }> {
  const consumer = await js.consumers.get(stream.name, {
    filter_subjects: filterSubject,
    ...(startSeq
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }
      : { deliver_policy: DeliverPolicy.All }),
  });
  const { num_pending: pending } = await consumer.info(true);
  const iter = await consumer.consume({
    max_messages: 256,
    // nats.js refuses less than a second.
    expires: Math.max(1_000, pullExpiresMs),
  });
  return {
    iter,
    pending,
    stop: async () => {
      await iter.close();
      await consumer.delete().catch(() => undefined);
    },
  };
}
