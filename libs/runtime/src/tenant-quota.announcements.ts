import type { Redis } from 'ioredis';
import type { UnlimitedTenants } from './tenant-quota.unlimited.js';

/**
 * The channel every quota change is announced on (the tenant id, or PLATFORM_QUOTA): under the client's
 * keyPrefix and the adapter's prefix, as the keys are — ioredis prefixes keys, not channels, so two
 * deployments sharing a Redis hear only their own changes.
 */
export function quotaChangesChannel(redis: Pick<Redis, 'options'>, prefix: string): string {
  return `${redis.options.keyPrefix ?? ''}${prefix}changes`;
}

/** A connection of its own in subscriber mode (ioredis: `duplicate({ autoResubscribe: false })`). */
export type QuotaSubscriber = Pick<Redis, 'status' | 'on' | 'off' | 'subscribe'>;

/**
 * Keeps `unlimited` trustworthy from `subscriber`'s announcements: each forgets its tenant, and every
 * (re)connection forgets everything — announcements sent while it was down are lost — with nothing
 * remembered until the subscription is confirmed again (so the subscriber must not resubscribe by
 * itself: this does, and knows when it is done). Returns what stops listening.
 */
export function listenForQuotaChanges(
  subscriber: QuotaSubscriber,
  channel: string,
  unlimited: UnlimitedTenants,
  logger?: { warn(obj: object, msg: string): void },
): () => void {
  /** The connection the pending SUBSCRIBE was sent on: a later one makes its reply moot. */
  let connection = 0;
  const onMessage = (from: string, tenantId: string) => {
    if (from === channel) unlimited.forget(tenantId);
  };
  const onClose = () => {
    connection++;
    unlimited.setListening(false);
  };
  const onReady = () => {
    const mine = ++connection;
    unlimited.setListening(false);
    subscriber.subscribe(channel).then(
      () => {
        if (mine === connection && subscriber.status === 'ready') unlimited.setListening(true);
      },
      (e: unknown) =>
        logger?.warn(
          { err: e },
          'quota changes not heard: every daily check asks Redis until the subscriber reconnects',
        ),
    );
  };
  subscriber.on('message', onMessage);
  subscriber.on('close', onClose);
  subscriber.on('ready', onReady);
  if (subscriber.status === 'ready') onReady();
  return () => {
    subscriber.off('message', onMessage);
    subscriber.off('close', onClose);
    subscriber.off('ready', onReady);
    onClose();
  };
}
