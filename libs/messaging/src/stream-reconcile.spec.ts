import { DiscardPolicy, RetentionPolicy, type StreamConfig, StorageType } from '@nats-io/jetstream';
import {
  AuditStream,
  DEFAULT_STREAM_MAX_BYTES,
  TaskSubmissionStream,
} from '@switchboard/contracts';
import {
  creationConfig,
  describeDifference,
  desiredStream,
  reconcileStream,
  showStreamValue,
} from './stream-reconcile.js';

const MS = 1_000_000;
const DAY = 86_400_000 * MS;
const GiB = 1024 ** 3;

/** The server's config of a stream created with `desired` and nothing else set. */
function serverConfig(overrides: Partial<StreamConfig> = {}): StreamConfig {
  return {
    ...(creationConfig(desiredStream(AuditStream)) as StreamConfig),
    max_msgs: -1,
    max_msgs_per_subject: -1,
    discard: 'old',
    ...overrides,
  } as StreamConfig;
}

describe('desiredStream', () => {
  it('takes the defaults, none of them configured, without JETSTREAM_* settings', () => {
    const d = desiredStream(AuditStream);
    expect(d).toMatchObject({
      name: 'SB_AUDIT',
      subjects: ['sb.audit.>'],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicateWindowNs: AuditStream.duplicateWindowMs * MS,
      replicas: { value: 1, configured: false },
      maxBytes: { value: DEFAULT_STREAM_MAX_BYTES, configured: false },
      maxAgeNs: { value: 30 * DAY, configured: false },
    });
    expect(desiredStream(TaskSubmissionStream).retention).toBe(RetentionPolicy.Workqueue);
  });

  it('makes the task queue refuse new submissions when full, and the other streams drop their oldest', () => {
    expect(creationConfig(desiredStream(TaskSubmissionStream)).discard).toBe(DiscardPolicy.New);
    expect(creationConfig(desiredStream(AuditStream)).discard).toBe(DiscardPolicy.Old);
  });

  it('prefers the stream’s own value to the default, and marks what the configuration gives', () => {
    const limits = {
      replicas: 3,
      maxBytes: { default: 2 * GiB, streams: { SB_AUDIT: 4 * GiB } },
      maxAgeMs: { streams: { SB_TASKS: 86_400_000 } },
    };
    expect(desiredStream(AuditStream, limits)).toMatchObject({
      replicas: { value: 3, configured: true },
      maxBytes: { value: 4 * GiB, configured: true },
      maxAgeNs: { value: 30 * DAY, configured: false },
    });
    expect(desiredStream(TaskSubmissionStream, limits)).toMatchObject({
      maxBytes: { value: 2 * GiB, configured: true },
      maxAgeNs: { value: DAY, configured: true },
    });
  });

  it('creates a stream with the configured replicas and limits and the contract’s fixed parts', () => {
    expect(
      creationConfig(
        desiredStream(TaskSubmissionStream, { replicas: 3, maxBytes: { default: GiB } }),
      ),
    ).toEqual({
      name: 'SB_TASKS',
      subjects: ['sb.task.submit'],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.New,
      duplicate_window: 120_000 * MS,
      num_replicas: 3,
      max_bytes: GiB,
      max_age: 7 * DAY,
    });
  });
});

describe('reconcileStream', () => {
  const defaults = desiredStream(AuditStream);

  it('leaves a stream as created alone', () => {
    expect(reconcileStream(defaults, serverConfig(), false)).toEqual({
      changes: [],
      kept: [],
      refused: [],
    });
  });

  it('keeps an operator’s limits when the configuration does not set them, saying what differs', () => {
    const operator = serverConfig({ max_age: 90 * DAY, max_bytes: 8 * GiB, num_replicas: 3 });
    const r = reconcileStream(defaults, operator, true);
    expect(r.changes).toEqual([]);
    expect(r.refused).toEqual([]);
    expect(r.kept.map(describeDifference)).toEqual([
      {
        field: 'num_replicas',
        server: 3,
        wanted: 1,
        why: "JETSTREAM_REPLICAS does not set it: the stream's own value is kept",
      },
      {
        field: 'max_bytes',
        server: '8GiB',
        wanted: '1GiB',
        why: "JETSTREAM_MAX_BYTES does not set it: the stream's own value is kept",
      },
      {
        field: 'max_age',
        server: '90d',
        wanted: '30d',
        why: "JETSTREAM_MAX_AGE does not set it: the stream's own value is kept",
      },
    ]);
  });

  it('changes the limits the configuration sets, each on its own, old and new value given', () => {
    const desired = desiredStream(AuditStream, {
      maxBytes: { streams: { SB_AUDIT: 4 * GiB } },
      maxAgeMs: { default: 14 * 86_400_000 },
    });
    const r = reconcileStream(desired, serverConfig({ max_age: 90 * DAY, max_msgs: 1000 }), false);
    expect(r.kept).toEqual([]);
    expect(r.changes).toEqual([
      {
        field: 'max_bytes',
        server: GiB,
        wanted: 4 * GiB,
        why: 'JETSTREAM_MAX_BYTES sets it',
        patch: { max_bytes: 4 * GiB },
      },
      {
        field: 'max_age',
        server: 90 * DAY,
        wanted: 14 * DAY,
        why: 'JETSTREAM_MAX_AGE sets it',
        patch: { max_age: 14 * DAY },
      },
    ]);
  });

  it('does not touch a configured limit the stream already has', () => {
    const desired = desiredStream(AuditStream, { replicas: 1, maxBytes: { default: GiB } });
    expect(reconcileStream(desired, serverConfig(), false).changes).toEqual([]);
  });

  it('lowers replicas only when JETSTREAM_REPLICAS says so, as a change that names it', () => {
    const r3 = serverConfig({ num_replicas: 3 });
    expect(reconcileStream(defaults, r3, true).changes).toEqual([]);
    const lowered = reconcileStream(desiredStream(AuditStream, { replicas: 1 }), r3, true);
    expect(lowered.changes).toEqual([
      expect.objectContaining({
        field: 'num_replicas',
        server: 3,
        wanted: 1,
        why: "JETSTREAM_REPLICAS=1 lowers the stream's replicas",
        patch: { num_replicas: 1 },
      }),
    ]);
  });

  it('raises replicas on a cluster, and refuses to on a single server', () => {
    const desired = desiredStream(AuditStream, { replicas: 3 });
    expect(reconcileStream(desired, serverConfig(), true).changes).toEqual([
      expect.objectContaining({ field: 'num_replicas', patch: { num_replicas: 3 } }),
    ]);
    const single = reconcileStream(desired, serverConfig(), false);
    expect(single.changes).toEqual([]);
    expect(single.refused).toEqual([
      {
        field: 'num_replicas',
        server: 1,
        wanted: 3,
        why: 'JETSTREAM_REPLICAS=3 needs a NATS cluster with JetStream on 3 or more servers; this server is not clustered',
      },
    ]);
  });

  it('adds a subject the platform publishes on, keeping the operator’s extra ones', () => {
    const r = reconcileStream(defaults, serverConfig({ subjects: ['ops.audit.>'] }), false);
    expect(r.changes).toEqual([
      expect.objectContaining({
        field: 'subjects',
        patch: { subjects: ['ops.audit.>', 'sb.audit.>'] },
      }),
    ]);
    const extra = reconcileStream(
      defaults,
      serverConfig({ subjects: ['sb.audit.>', 'ops.audit.>'] }),
      false,
    );
    expect(extra.changes).toEqual([]);
    expect(extra.kept).toEqual([expect.objectContaining({ field: 'subjects' })]);
  });

  it('restores retention and a shortened de-duplication window, keeps a longer one', () => {
    const r = reconcileStream(
      desiredStream(TaskSubmissionStream),
      {
        ...(creationConfig(desiredStream(TaskSubmissionStream)) as StreamConfig),
        retention: RetentionPolicy.Limits,
        duplicate_window: 10_000 * MS,
      },
      false,
    );
    expect(r.changes.map((c) => c.patch)).toEqual([
      { retention: RetentionPolicy.Workqueue },
      { duplicate_window: 120_000 * MS },
    ]);
    const longer = reconcileStream(defaults, serverConfig({ duplicate_window: DAY }), false);
    expect(longer.changes).toEqual([]);
    expect(longer.kept.map(describeDifference)).toEqual([
      {
        field: 'duplicate_window',
        server: '1d',
        wanted: '10m',
        why: 'a longer de-duplication window is kept',
      },
    ]);
  });

  it('refuses to change storage (nats-server cannot), saying how', () => {
    const r = reconcileStream(defaults, serverConfig({ storage: StorageType.Memory }), false);
    expect(r.changes).toEqual([]);
    expect(r.refused).toEqual([
      expect.objectContaining({ field: 'storage', server: 'memory', wanted: 'file' }),
    ]);
  });
});

describe('showStreamValue', () => {
  it('writes sizes and durations as operators do', () => {
    expect(showStreamValue('max_bytes', -1)).toBe('unlimited');
    expect(showStreamValue('max_bytes', 512 * 1024 ** 2)).toBe('512MiB');
    expect(showStreamValue('max_bytes', 1_000_000_000)).toBe('1000000000');
    expect(showStreamValue('max_age', 0)).toBe('unlimited');
    expect(showStreamValue('max_age', 36 * 3_600_000 * MS)).toBe('36h');
    expect(showStreamValue('duplicate_window', 120_000 * MS)).toBe('2m');
    expect(showStreamValue('num_replicas', 3)).toBe(3);
  });
});
