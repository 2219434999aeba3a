// What a service does to its JetStream streams at start (JetStreamService.ensureStreams): creates the
// missing ones with the configured replicas and limits, and brings existing ones in line as
// stream-reconcile decides, logging every change and — once per process — every difference it keeps.
import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import type { Logger } from '@switchboard/observability';
import {
  creationConfig,
  describeDifference,
  type DesiredStream,
  reconcileStream,
  showStreamValue,
  type StreamDifference,
} from './stream-reconcile.js';

export class StreamSetup {
  constructor(
    private readonly jsm: JetStreamManager,
    private readonly logger: Logger,
    /** Differences already logged by this process (each is logged once). */
    private readonly reported: Set<string>,
  ) {}

  /** Creates the stream, or reconciles the one the server has (also when another replica won the race). */
  async ensure(desired: DesiredStream): Promise<void> {
    const info = (await this.streamInfo(desired.name)) ?? (await this.createStream(desired));
    if (info) await this.reconcile(desired, info);
  }

  private async streamInfo(name: string): Promise<StreamInfo | undefined> {
    try {
      return await this.jsm.streams.info(name);
    } catch (e) {
      if (/not found/i.test((e as Error).message)) return undefined;
      throw e;
    }
  }

  /** Creates the stream; when another replica created it first, answers its info (to reconcile). */
  private async createStream(desired: DesiredStream): Promise<StreamInfo | undefined> {
    const config = creationConfig(desired);
    try {
      await this.jsm.streams.add(config);
      this.logger.info(
        {
          stream: desired.name,
          num_replicas: config.num_replicas,
          max_bytes: showStreamValue('max_bytes', config.max_bytes),
          max_age: showStreamValue('max_age', config.max_age),
        },
        'created stream',
      );
      return undefined;
    } catch (e) {
      const reason = (e as Error).message;
      // Another replica created it between our info and add (with its own configuration, maybe).
      if (/already in use/i.test(reason)) return this.streamInfo(desired.name);
      const hint =
        desired.replicas.value > 1 && /replicas|cluster|peers|resources/i.test(reason)
          ? `: JETSTREAM_REPLICAS=${desired.replicas.value} needs a NATS cluster with JetStream on ${desired.replicas.value} or more servers`
          : '';
      this.logger.error(
        { stream: desired.name, err: reason, config: creationConfig(desired) },
        'could not create stream',
      );
      throw new Error(`could not create stream ${desired.name}: ${reason}${hint}`, { cause: e });
    }
  }

  private async reconcile(desired: DesiredStream, info: StreamInfo): Promise<void> {
    const stream = desired.name;
    // A clustered server names its cluster; a single one leaves `cluster` out (2.9) or names only
    // itself as leader (2.10).
    const { changes, kept, refused } = reconcileStream(desired, info.config, !!info.cluster?.name);
    const fresh = (d: StreamDifference) => {
      const key = JSON.stringify([stream, d.field, d.server, d.wanted]);
      if (this.reported.has(key)) return false;
      this.reported.add(key);
      return true;
    };
    const keptNow = kept.filter(fresh);
    if (keptNow.length)
      this.logger.info(
        { stream, differences: keptNow.map(describeDifference) },
        'kept stream settings that differ from the defaults',
      );
    for (const d of refused.filter(fresh))
      this.logger.error({ stream, ...describeDifference(d) }, 'cannot apply stream setting');
    for (const change of changes) {
      try {
        await this.jsm.streams.update(stream, change.patch);
        this.logger.warn({ stream, ...describeDifference(change) }, 'updated stream setting');
      } catch (e) {
        this.logger.error(
          { stream, ...describeDifference(change), err: (e as Error).message },
          'could not update stream setting',
        );
      }
    }
  }
}
