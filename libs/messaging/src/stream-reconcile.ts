// What a service does to a JetStream stream at start: the stream it wants (the contract's fixed parts,
// the configured replicas and limits), and, when the stream exists, which differences it corrects and
// which it leaves to the operator. Pure, so the decision is unit-tested; JetStreamService applies it.
import {
  DiscardPolicy,
  RetentionPolicy,
  type StreamConfig,
  type StreamUpdateConfig,
  StorageType,
} from '@nats-io/jetstream';
import { DEFAULT_STREAM_MAX_BYTES, type StreamContract } from '@switchboard/contracts';
import type { PerStreamValue, StreamLimits } from './messaging.options.js';

const NS_PER_MS = 1_000_000;

/** A value and whether the configuration gave it (or it is the default). */
export interface Configured<T> {
  value: T;
  configured: boolean;
}

/** The stream a service wants, in nats-server's units (nanoseconds, bytes). */
export interface DesiredStream {
  name: string;
  /** Fixed by the contract: the platform breaks without them. */
  subjects: string[];
  retention: RetentionPolicy;
  storage: StorageType;
  /** Applied at creation only: afterwards the operator's. */
  discard: DiscardPolicy;
  /** Applied at creation only, when the contract limits it. */
  maxMsgsPerSubject?: number;
  duplicateWindowNs: number;
  /** Set by the configuration (JETSTREAM_*) or defaulted. */
  replicas: Configured<number>;
  maxBytes: Configured<number>;
  maxAgeNs: Configured<number>;
}

/** The stream settings the platform looks at; the others (max_msgs, discard…) are the operator's. */
export type StreamField =
  | 'subjects'
  | 'retention'
  | 'storage'
  | 'duplicate_window'
  | 'num_replicas'
  | 'max_bytes'
  | 'max_age';

/** The configuration setting behind each configurable field (named in logs). */
export const SETTING_OF: Partial<Record<StreamField, string>> = {
  num_replicas: 'JETSTREAM_REPLICAS',
  max_bytes: 'JETSTREAM_MAX_BYTES',
  max_age: 'JETSTREAM_MAX_AGE',
};

/** One field where the server's stream is not what the platform would create. */
export interface StreamDifference {
  field: StreamField;
  /** What the server has. */
  server: unknown;
  /** What the platform would set. */
  wanted: unknown;
  why: string;
}

/** A difference corrected: `patch` is the update sent for it (nats.js merges it into the current config). */
export interface StreamChange extends StreamDifference {
  patch: Partial<StreamUpdateConfig> & { retention?: RetentionPolicy };
}

export interface StreamReconcile {
  /** Corrections, applied one update each (so one the server refuses does not stop the others). */
  changes: StreamChange[];
  /** Left as the server has them: what the configuration does not set, or a harmless difference. */
  kept: StreamDifference[];
  /** Wanted but not applicable to this server (a setting it cannot change, replicas without a cluster). */
  refused: StreamDifference[];
}

function pick<T>(setting: PerStreamValue<T> | undefined, stream: string): T | undefined {
  return setting?.streams?.[stream] ?? setting?.default;
}

function configured<T>(value: T | undefined, fallback: T): Configured<T> {
  return value === undefined ? { value: fallback, configured: false } : { value, configured: true };
}

/** The stream `contract` as this configuration wants it. */
export function desiredStream(contract: StreamContract, limits?: StreamLimits): DesiredStream {
  const maxAgeMs = pick(limits?.maxAgeMs, contract.name);
  return {
    name: contract.name,
    subjects: [...contract.subjects],
    retention:
      contract.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: contract.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
    duplicateWindowNs: contract.duplicateWindowMs * NS_PER_MS,
    replicas: configured(limits?.replicas, 1),
    maxBytes: configured(
      pick(limits?.maxBytes, contract.name),
      contract.maxBytes ?? DEFAULT_STREAM_MAX_BYTES,
    ),
    ...(contract.maxMsgsPerSubject ? { maxMsgsPerSubject: contract.maxMsgsPerSubject } : {}),
    maxAgeNs: configured(
      maxAgeMs === undefined ? undefined : maxAgeMs * NS_PER_MS,
      contract.maxAgeMs * NS_PER_MS,
    ),
  };
}

/** What a missing stream is created with. */
export function creationConfig(d: DesiredStream): Partial<StreamConfig> & { name: string } {
  return {
    name: d.name,
    subjects: [...d.subjects],
    retention: d.retention,
    storage: d.storage,
    discard: d.discard,
    ...(d.maxMsgsPerSubject ? { max_msgs_per_subject: d.maxMsgsPerSubject } : {}),
    duplicate_window: d.duplicateWindowNs,
    num_replicas: d.replicas.value,
    max_bytes: d.maxBytes.value,
    max_age: d.maxAgeNs.value,
  };
}

/**
 * Compares an existing stream with the desired one, field by field.
 * - Subjects, retention and the de-duplication window are the platform's: corrected when wrong in a way
 *   that breaks it (a subject the platform publishes on is missing, another retention, a shorter
 *   window). Extra subjects and a longer window are kept. Storage cannot be changed: refused.
 * - Replicas, max bytes and max age are the operator's unless the configuration sets them: corrected
 *   only then (replicas downwards too, as a change that is logged); otherwise kept. Replicas above 1 on
 *   a server without a cluster are refused (nats-server would record them without any replica).
 * `clustered`: the stream's info names a cluster (a single nats-server names none).
 */
// eslint-disable-next-line max-lines-per-function -- one sequence read top to bottom; to be split (docs/architecture.md, Long functions)
export function reconcileStream(
  desired: DesiredStream,
  current: StreamConfig,
  clustered: boolean,
): StreamReconcile {
  const result: StreamReconcile = { changes: [], kept: [], refused: [] };
  const serverSubjects = current.subjects ?? [];
  const missing = desired.subjects.filter((s) => !serverSubjects.includes(s));
  const extra = serverSubjects.filter((s) => !desired.subjects.includes(s));
  if (missing.length)
    result.changes.push({
      field: 'subjects',
      server: serverSubjects,
      wanted: [...serverSubjects, ...missing],
      why: `the platform publishes on ${missing.join(', ')}, which the stream does not take`,
      patch: { subjects: [...serverSubjects, ...missing] },
    });
  else if (extra.length)
    result.kept.push({
      field: 'subjects',
      server: serverSubjects,
      wanted: desired.subjects,
      why: 'extra subjects are kept',
    });

  if (current.retention !== desired.retention)
    result.changes.push({
      field: 'retention',
      server: current.retention,
      wanted: desired.retention,
      why: `the platform relies on ${desired.retention} retention`,
      patch: { retention: desired.retention },
    });

  if (current.storage !== desired.storage)
    result.refused.push({
      field: 'storage',
      server: current.storage,
      wanted: desired.storage,
      why: 'the storage of an existing stream cannot be changed: recreate the stream to change it',
    });

  const window = current.duplicate_window ?? 0;
  if (window < desired.duplicateWindowNs)
    result.changes.push({
      field: 'duplicate_window',
      server: window,
      wanted: desired.duplicateWindowNs,
      why: 'a shorter de-duplication window lets a retried publish be stored twice',
      patch: { duplicate_window: desired.duplicateWindowNs },
    });
  else if (window > desired.duplicateWindowNs)
    result.kept.push({
      field: 'duplicate_window',
      server: window,
      wanted: desired.duplicateWindowNs,
      why: 'a longer de-duplication window is kept',
    });

  const limit = (
    field: 'num_replicas' | 'max_bytes' | 'max_age',
    want: Configured<number>,
    server: number | undefined,
  ) => {
    if (server === want.value) return;
    const setting = SETTING_OF[field] ?? field;
    const difference = { field, server, wanted: want.value };
    if (!want.configured)
      result.kept.push({
        ...difference,
        why: `${setting} does not set it: the stream's own value is kept`,
      });
    else if (field === 'num_replicas' && want.value > 1 && !clustered)
      result.refused.push({
        ...difference,
        why: `${setting}=${want.value} needs a NATS cluster with JetStream on ${want.value} or more servers; this server is not clustered`,
      });
    else
      result.changes.push({
        ...difference,
        why:
          field === 'num_replicas' && server !== undefined && want.value < server
            ? `${setting}=${want.value} lowers the stream's replicas`
            : `${setting} sets it`,
        patch: { [field]: want.value },
      });
  };
  limit('num_replicas', desired.replicas, current.num_replicas);
  limit('max_bytes', desired.maxBytes, current.max_bytes);
  limit('max_age', desired.maxAgeNs, current.max_age);
  return result;
}

function unit(n: number, units: ReadonlyArray<[string, number]>): string {
  for (const [name, size] of units) if (n >= size && n % size === 0) return `${n / size}${name}`;
  return String(n);
}

const SIZES: ReadonlyArray<[string, number]> = [
  ['TiB', 1024 ** 4],
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
];
const DURATIONS: ReadonlyArray<[string, number]> = [
  ['d', 86_400_000 * NS_PER_MS],
  ['h', 3_600_000 * NS_PER_MS],
  ['m', 60_000 * NS_PER_MS],
  ['s', 1_000 * NS_PER_MS],
  ['ms', NS_PER_MS],
];

/** A field's value as an operator reads it: `1GiB`, `7d`, `unlimited`, `3`. */
export function showStreamValue(field: StreamField, value: unknown): unknown {
  if (typeof value !== 'number') return value;
  if (field === 'max_bytes') return value < 0 ? 'unlimited' : unit(value, SIZES);
  if (field === 'max_age' || field === 'duplicate_window')
    return value === 0 ? 'unlimited' : unit(value, DURATIONS);
  return value;
}

/** A difference for a log line, values shown as operators write them. */
export function describeDifference(d: StreamDifference): Record<string, unknown> {
  return {
    field: d.field,
    server: showStreamValue(d.field, d.server),
    wanted: showStreamValue(d.field, d.wanted),
    why: d.why,
  };
}
