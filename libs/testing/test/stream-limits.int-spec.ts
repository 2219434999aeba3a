// Stream replicas and limits against a real nats-server, on both versions the platform supports (2.9:
// Debian's; 2.10: infra/setup.sh): a stream is created with the configured limits; an operator's later
// edits survive a restart unless the configuration sets that value, and every difference is logged.
import {
  jetstream,
  jetstreamManager,
  type JetStreamManager,
  RetentionPolicy,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  AuditStream,
  DeadLetterStream,
  type StreamContract,
  TaskEventStream,
  TaskSubmissionStream,
} from '@switchboard/contracts';
import { JetStreamService, type StreamLimits } from '@switchboard/messaging';
import { JetStreamEnvShape, jetStreamSettings, loadConfig } from '@switchboard/config';
import { createLogger, Metrics, ReadinessRegistry } from '@switchboard/observability';
import { z } from 'zod';
import {
  natsServerBinary,
  machineNatsServerBinary,
  type PrivateNats,
  type PrivateNatsCluster,
  startNatsCluster,
  startPrivateNats,
  waitFor,
} from '../src/index.js';

const SERVERS = [
  ['2.9', machineNatsServerBinary],
  ['2.10', natsServerBinary],
] as const;

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const DAY = 86_400_000;

type LogLine = Record<string, unknown> & { level: string; msg: string };

interface Boot {
  jetstream: JetStreamService;
  logs: LogLine[];
  readiness: ReadinessRegistry;
}

/** One service start with these JETSTREAM_* settings: its JetStreamService ensures `streams`. */
async function boot(
  nc: NatsConnection,
  streams: StreamContract[],
  limits?: StreamLimits,
): Promise<Boot> {
  const logs: LogLine[] = [];
  const logger = createLogger({
    service: 'orchestrator',
    instance: 'test',
    level: 'info',
    pretty: false,
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  });
  const readiness = new ReadinessRegistry();
  const jetstream = new JetStreamService(
    nc,
    { service: 'orchestrator', instance: 'test', nats: { servers: [] }, jetstream: limits },
    logger,
    new Metrics('orchestrator', 'test'),
    readiness,
  );
  await jetstream.ensureStreams(streams);
  return { jetstream, logs, readiness };
}

const said = (logs: LogLine[], msg: string) => logs.filter((l) => l.msg === msg);

/**
 * The two 3-node clusters (one per version) start together with the file: most of a cluster's start is
 * waiting for its JetStream meta leader election, which they may as well do at the same time — and
 * while the single-server tests run.
 */
const clusters = new Map<string, Promise<PrivateNatsCluster>>();
beforeAll(() => {
  for (const [version, binary] of SERVERS) {
    const starting = startNatsCluster({ binary: binary() });
    starting.catch(() => undefined); // awaited (and its failure reported) by its describe block
    clusters.set(version, starting);
  }
});
afterAll(async () => {
  await Promise.allSettled([...clusters.values()].map(async (c) => (await c).stop()));
});

describe.each(SERVERS)('stream replicas and limits on nats-server %s', (_version, binary) => {
  let nats: PrivateNats;
  let nc: NatsConnection;
  /** The operator's side: the `nats` CLI, or anything else with a JetStream manager. */
  let operator: JetStreamManager;

  beforeAll(async () => {
    nats = await startPrivateNats({ binary: binary() });
    nc = await connect({ servers: nats.url });
    operator = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  const start = (streams: StreamContract[], limits?: StreamLimits) => boot(nc, streams, limits);
  const config = async (name: string) => (await operator.streams.info(name)).config;

  it('creates missing streams with the configured replicas, sizes and ages', async () => {
    const { logs, readiness } = await start([TaskEventStream, AuditStream], {
      maxBytes: { default: 64 * MiB, streams: { SB_AUDIT: 128 * MiB } },
      maxAgeMs: { streams: { SB_TASK_EVENTS: 2 * DAY } },
    });
    expect(await config('SB_TASK_EVENTS')).toMatchObject({
      subjects: ['sb.evt.task.>'],
      retention: RetentionPolicy.Limits,
      storage: 'file',
      num_replicas: 1,
      max_bytes: 64 * MiB,
      max_age: nanos(2 * DAY),
      duplicate_window: nanos(TaskEventStream.duplicateWindowMs),
    });
    expect(await config('SB_AUDIT')).toMatchObject({
      max_bytes: 128 * MiB,
      max_age: nanos(AuditStream.maxAgeMs),
    });
    expect(said(logs, 'created stream')).toEqual([
      expect.objectContaining({ stream: 'SB_TASK_EVENTS', max_bytes: '64MiB', max_age: '2d' }),
      expect.objectContaining({ stream: 'SB_AUDIT', max_bytes: '128MiB', max_age: '30d' }),
    ]);
    expect(await readiness.run()).toEqual({ jetstream: { status: 'up' } });

    // Without JETSTREAM_* settings: bounded all the same (1 GiB), the contract's age.
    await start([DeadLetterStream]);
    expect(await config('SB_DEAD_LETTERS')).toMatchObject({
      num_replicas: 1,
      max_bytes: GiB,
      max_age: nanos(DeadLetterStream.maxAgeMs),
    });
  });

  it('refuses a new submission when the task queue is full, and keeps every queued one', async () => {
    await start([TaskSubmissionStream], { maxBytes: { streams: { SB_TASKS: MiB } } });
    const js = jetstream(nc);
    const body = new Uint8Array(256 * 1024);
    let accepted = 0;
    let refusal: Error | undefined;
    while (!refusal && accepted < 10) {
      try {
        await js.publish('sb.task.submit', body);
        accepted++;
      } catch (e) {
        refusal = e as Error;
      }
    }
    expect(refusal?.message).toMatch(/maximum bytes/i);
    const { state } = await operator.streams.info('SB_TASKS');
    expect(state.messages).toBe(accepted);
    expect(state.first_seq).toBe(1);
    await operator.streams.delete('SB_TASKS');
  });

  it("keeps an operator's later edits when the configuration does not set them, logging the difference once", async () => {
    await operator.streams.update('SB_TASK_EVENTS', {
      max_age: nanos(14 * DAY),
      max_bytes: 256 * MiB,
      max_msgs: 1_000,
    });
    const { jetstream, logs } = await start([TaskEventStream]);
    await jetstream.ensureStreams([TaskEventStream]); // a second consumer of the same process
    expect(await config('SB_TASK_EVENTS')).toMatchObject({
      max_age: nanos(14 * DAY),
      max_bytes: 256 * MiB,
      max_msgs: 1_000,
    });
    expect(said(logs, 'kept stream settings that differ from the defaults')).toEqual([
      expect.objectContaining({
        level: 'info',
        stream: 'SB_TASK_EVENTS',
        differences: [
          {
            field: 'max_bytes',
            server: '256MiB',
            wanted: '1GiB',
            why: "JETSTREAM_MAX_BYTES does not set it: the stream's own value is kept",
          },
          {
            field: 'max_age',
            server: '14d',
            wanted: '7d',
            why: "JETSTREAM_MAX_AGE does not set it: the stream's own value is kept",
          },
        ],
      }),
    ]);
    expect(said(logs, 'updated stream setting')).toEqual([]);
  });

  it('applies what the configuration sets, logging old and new value, and keeps the other edits', async () => {
    const { logs } = await start([TaskEventStream], {
      maxBytes: { streams: { SB_TASK_EVENTS: 512 * MiB } },
      maxAgeMs: { default: 3 * DAY },
    });
    expect(await config('SB_TASK_EVENTS')).toMatchObject({
      max_age: nanos(3 * DAY),
      max_bytes: 512 * MiB,
      max_msgs: 1_000,
    });
    expect(said(logs, 'updated stream setting')).toEqual([
      expect.objectContaining({
        level: 'warn',
        stream: 'SB_TASK_EVENTS',
        field: 'max_bytes',
        server: '256MiB',
        wanted: '512MiB',
      }),
      expect.objectContaining({
        level: 'warn',
        stream: 'SB_TASK_EVENTS',
        field: 'max_age',
        server: '14d',
        wanted: '3d',
      }),
    ]);
  });

  it('restores a subject and de-duplication window the platform relies on', async () => {
    await operator.streams.update('SB_AUDIT', {
      subjects: ['ops.audit.>'],
      duplicate_window: nanos(1_000),
    });
    const { logs } = await start([AuditStream]);
    expect(await config('SB_AUDIT')).toMatchObject({
      subjects: ['ops.audit.>', 'sb.audit.>'],
      duplicate_window: nanos(AuditStream.duplicateWindowMs),
      max_bytes: 128 * MiB,
    });
    expect(said(logs, 'updated stream setting').map((l) => l['field'])).toEqual([
      'subjects',
      'duplicate_window',
    ]);
  });

  it('logs what this server cannot do and carries on', async () => {
    // Replicas without a cluster: nats-server 2.9 and 2.10 would record R3 with no replica at all.
    const r3 = await start([TaskEventStream, AuditStream], { replicas: 3 });
    expect((await config('SB_AUDIT')).num_replicas).toBe(1);
    expect(said(r3.logs, 'cannot apply stream setting')).toEqual([
      expect.objectContaining({
        level: 'error',
        stream: 'SB_TASK_EVENTS',
        field: 'num_replicas',
        why: 'JETSTREAM_REPLICAS=3 needs a NATS cluster with JetStream on 3 or more servers; this server is not clustered',
      }),
      expect.objectContaining({ level: 'error', stream: 'SB_AUDIT', field: 'num_replicas' }),
    ]);
    expect(await r3.readiness.run()).toEqual({ jetstream: { status: 'up' } });

    // A work queue made with the wrong retention: nats-server refuses to change it.
    await operator.streams.add({ name: 'SB_TASKS', subjects: ['sb.task.submit'] });
    const { logs, readiness } = await start([TaskSubmissionStream]);
    expect((await config('SB_TASKS')).retention).toBe(RetentionPolicy.Limits);
    expect(said(logs, 'could not update stream setting')).toEqual([
      expect.objectContaining({
        level: 'error',
        stream: 'SB_TASKS',
        field: 'retention',
        server: 'limits',
        wanted: 'workqueue',
        err: expect.stringMatching(/can not change retention/),
      }),
    ]);
    expect(await readiness.run()).toEqual({ jetstream: { status: 'up' } });
  });

  it('fails to create a stream it cannot, saying why', async () => {
    await operator.streams.delete('SB_DEAD_LETTERS');
    await expect(start([DeadLetterStream], { replicas: 3 })).rejects.toThrow(
      /could not create stream SB_DEAD_LETTERS: replicas > 1 not supported in non-clustered mode: JETSTREAM_REPLICAS=3 needs a NATS cluster/,
    );
  });

  it('sizes the task history from JETSTREAM_TASKS_PER_DAY, and a full one drops its oldest tasks, never a new event', async () => {
    // 10 tasks a day kept 7 days at 16 KiB each: 1,120 KiB (derived by libs/config as a service does).
    const sized = jetStreamSettings(
      loadConfig('svc', z.object(JetStreamEnvShape), { JETSTREAM_TASKS_PER_DAY: '10' }),
    );
    await operator.streams.delete('SB_TASK_EVENTS').catch(() => undefined);
    await start([TaskEventStream], { maxBytes: sized.maxBytes });
    const maxBytes = 10 * 7 * 16 * 1024;
    expect(await config('SB_TASK_EVENTS')).toMatchObject({ max_bytes: maxBytes, discard: 'old' });
    const js = jetstream(nc);
    const event = new Uint8Array(64 * 1024);
    const tasks = Array.from({ length: 40 }, (_, i) => `task-${String(i).padStart(2, '0')}`);
    for (const task of tasks)
      await js.publish(`sb.evt.task.${task}.orchestrator.task.completed`, event);
    const kept = async (task: string) =>
      operator.streams.getMessage('SB_TASK_EVENTS', { last_by_subj: `sb.evt.task.${task}.>` }).then(
        (m) => m !== null,
        () => false,
      );
    // Every publish was taken; the stream stayed within its size by dropping the oldest tasks.
    const { state } = await operator.streams.info('SB_TASK_EVENTS');
    expect(state.bytes).toBeLessThanOrEqual(maxBytes);
    expect(state.last_seq - state.first_seq + 1).toBe(state.messages);
    expect(await kept(tasks[0]!)).toBe(false);
    expect(await kept(tasks.at(-1)!)).toBe(true);
    await operator.streams.delete('SB_TASK_EVENTS');
  });
});

describe.each(SERVERS)('stream replicas on a 3-node nats-server %s cluster', (version) => {
  let nc: NatsConnection;
  let operator: JetStreamManager;
  const start = (streams: StreamContract[], limits?: StreamLimits) => boot(nc, streams, limits);
  const info = (name: string) => operator.streams.info(name);

  beforeAll(async () => {
    const cluster = await clusters.get(version)!;
    nc = await connect({ servers: cluster.urls });
    operator = await jetstreamManager(nc);
  }, 90_000);

  afterAll(async () => {
    await nc?.close();
  });

  it('creates streams with JETSTREAM_REPLICAS=3 replicated on three servers', async () => {
    await start([AuditStream], { replicas: 3 });
    const audit = await info('SB_AUDIT');
    expect(audit.config.num_replicas).toBe(3);
    expect(audit.cluster?.name).toBe('sb-test');
    await waitFor(async () => (await info('SB_AUDIT')).cluster?.replicas?.length === 2, {
      what: 'two replicas besides the leader',
    });
  });

  it('raises replicas when configured, never lowers them unless configured', async () => {
    await start([TaskEventStream]);
    expect((await info('SB_TASK_EVENTS')).config.num_replicas).toBe(1);

    const raised = await start([TaskEventStream], { replicas: 3 });
    expect((await info('SB_TASK_EVENTS')).config.num_replicas).toBe(3);
    expect(said(raised.logs, 'updated stream setting')).toEqual([
      expect.objectContaining({ level: 'warn', field: 'num_replicas', server: 1, wanted: 3 }),
    ]);

    // A service started without the setting keeps R3 (an operator's `nats stream edit` likewise).
    const unset = await start([TaskEventStream]);
    expect((await info('SB_TASK_EVENTS')).config.num_replicas).toBe(3);
    expect(said(unset.logs, 'kept stream settings that differ from the defaults')).toEqual([
      expect.objectContaining({
        differences: [
          {
            field: 'num_replicas',
            server: 3,
            wanted: 1,
            why: "JETSTREAM_REPLICAS does not set it: the stream's own value is kept",
          },
        ],
      }),
    ]);

    const lowered = await start([TaskEventStream], { replicas: 1 });
    expect((await info('SB_TASK_EVENTS')).config.num_replicas).toBe(1);
    expect(said(lowered.logs, 'updated stream setting')).toEqual([
      expect.objectContaining({
        level: 'warn',
        field: 'num_replicas',
        server: 3,
        wanted: 1,
        why: "JETSTREAM_REPLICAS=1 lowers the stream's replicas",
      }),
    ]);
  });
});
