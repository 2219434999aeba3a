import { ALL_STREAMS, DEFAULT_STREAM_MAX_BYTES } from '@switchboard/contracts';
import { z } from 'zod';

/**
 * A value per JetStream stream: `default` for every stream, `streams` for the named ones (which win).
 * Only what the setting names is here: a stream it does not cover is absent, so the platform can tell
 * "configured" from "defaulted" (an existing stream's own value is then kept).
 */
export interface PerStream<T> {
  default?: T;
  streams: Readonly<Record<string, T>>;
}

const STREAM_NAMES: readonly string[] = ALL_STREAMS.map((s) => s.name);
const KiB = 1024;
const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  ki: KiB,
  mi: KiB ** 2,
  gi: KiB ** 3,
  ti: KiB ** 4,
  kib: KiB,
  mib: KiB ** 2,
  gib: KiB ** 3,
  tib: KiB ** 4,
};
const MIN_BYTES = KiB ** 2;
const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** `512MiB`, `2GiB`, `1.5GB`, `5Gi`, `1073741824` (bytes) or `unlimited` (-1, as NATS writes it). */
export function parseSize(raw: string | number): number {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw)) throw new Error(`${raw} is not a whole number of bytes`);
    if (raw < MIN_BYTES) throw new Error(`${raw} bytes is less than the least size, 1MiB`);
    return raw;
  }
  const text = raw.trim();
  if (/^unlimited$/i.test(text)) return -1;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  const unit = SIZE_UNITS[(m?.[2] || 'b').toLowerCase()];
  if (!m || unit === undefined)
    throw new Error(
      `"${text}" is not a size: give bytes or a number with B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), e.g. 512MiB, or "unlimited"`,
    );
  const bytes = Math.round(Number(m[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw new Error(`"${text}" is too large`);
  if (bytes < MIN_BYTES) throw new Error(`"${text}" is less than the least size, 1MiB`);
  return bytes;
}

/** `7d`, `36h`, `90m`, `2w` (milliseconds) or `unlimited` (0, as NATS writes it). */
export function parseDuration(raw: string | number): number {
  const text = String(raw).trim();
  if (/^unlimited$/i.test(text)) return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  const unit = m?.[2] ? DURATION_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new Error(
      `"${text}" is not a duration: give a number with a unit, ms, s, m, h, d or w, e.g. 7d or 36h, or "unlimited"`,
    );
  return Math.round(Number(m[1]) * unit);
}

/**
 * One value for every stream, per-stream values, or both: `2GiB`, `SB_AUDIT=4GiB,SB_TASK_EVENTS=2GiB`,
 * `1GiB,SB_AUDIT=4GiB` (`default=1GiB` names the default), or the same as a JSON object
 * {"default": "1GiB", "SB_AUDIT": "4GiB"} (what a Helm values map renders). Stream names must be the
 * platform's. Throws one message naming every problem.
 */
export function parsePerStream<T>(
  raw: string,
  parseValue: (value: string | number) => T,
): PerStream<T> {
  const entries: Array<[string | undefined, string | number]> = [];
  const text = raw.trim();
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error('is not valid JSON (a JSON object {"default": …, "<stream>": …} was begun)');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new Error('must be a JSON object {"default": …, "<stream>": …}');
    for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new Error(`${key}: give a string or a number, not ${JSON.stringify(value)}`);
      entries.push([key === 'default' ? undefined : key, value]);
    }
  } else {
    for (const part of text.split(',')) {
      const entry = part.trim();
      if (!entry) continue;
      const eq = entry.indexOf('=');
      if (eq < 0) entries.push([undefined, entry]);
      else {
        const key = entry.slice(0, eq).trim();
        entries.push([key === 'default' ? undefined : key, entry.slice(eq + 1)]);
      }
    }
  }
  const problems: string[] = [];
  const result: { default?: T; streams: Record<string, T> } = { streams: {} };
  for (const [name, value] of entries) {
    if (name !== undefined && !STREAM_NAMES.includes(name)) {
      problems.push(`unknown stream "${name}" (the streams are ${STREAM_NAMES.join(', ')})`);
      continue;
    }
    if (name === undefined ? result.default !== undefined : name in result.streams) {
      problems.push(`${name ?? 'the default'} is given twice`);
      continue;
    }
    try {
      const parsed = parseValue(value);
      if (name === undefined) result.default = parsed;
      else result.streams[name] = parsed;
    } catch (e) {
      problems.push(`${name ?? 'default'}: ${(e as Error).message}`);
    }
  }
  if (entries.length === 0) problems.push('gives no value');
  if (problems.length) throw new Error(problems.join('; '));
  return result;
}

/** A max age shorter than a stream's de-duplication window: nats-server refuses such a stream. */
function ageProblems(ages: PerStream<number>): string[] {
  const problems: string[] = [];
  for (const s of ALL_STREAMS) {
    const age = ages.streams[s.name] ?? ages.default;
    if (age !== undefined && age > 0 && age < s.duplicateWindowMs)
      problems.push(
        `${s.name} would keep messages ${age / 1000} s, less than its de-duplication window (${s.duplicateWindowMs / 1000} s)`,
      );
  }
  return problems;
}

function perStream<T>(
  parseValue: (value: string | number) => T,
  check?: (value: PerStream<T>) => string[],
) {
  return z.string().transform((raw, ctx) => {
    try {
      const value = parsePerStream(raw, parseValue);
      const problems = check?.(value) ?? [];
      if (problems.length) throw new Error(problems.join('; '));
      return value;
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });
}

const GiB = DEFAULT_STREAM_MAX_BYTES / KiB ** 3;
const CONTRACT_AGES = ALL_STREAMS.map((s) => `${s.name} ${s.maxAgeMs / 86_400_000} d`).join(', ');

/** The streams that keep task history, and what one task stores in each (their contracts say). */
const SIZED_STREAMS = ALL_STREAMS.filter((s) => s.bytesPerTask !== undefined);
const SIZED = SIZED_STREAMS.map(
  (s) => `${s.name} ${(s.bytesPerTask ?? 0) / KiB} KiB per task`,
).join(', ');

/** A size as an operator reads it (GiB or MiB). */
function readableSize(bytes: number): string {
  return bytes >= KiB ** 3
    ? `${(bytes / KiB ** 3).toFixed(1)} GiB`
    : `${Math.ceil(bytes / KiB ** 2)} MiB`;
}

function sizedExample(tasksPerDay: number): string {
  const events = SIZED_STREAMS.find((s) => s.name === 'SB_TASK_EVENTS');
  return readableSize(tasksPerDay * 7 * (events?.bytesPerTask ?? 0));
}

/** The JetStream streams' replicas and limits: what a stream is created with, and what is kept in line. */
export const JetStreamEnvShape = {
  JETSTREAM_REPLICAS: z.coerce
    .number()
    .int()
    .min(1)
    .max(5)
    .optional()
    .describe(
      `Replicas of every JetStream stream (1–5): 3 on a NATS cluster of three or more JetStream servers (R3 keeps every stream through the loss of one), 1 on a single server. Unset: a new stream gets 1 and an existing stream keeps its own (an operator's \`nats stream edit --replicas\` stays). Set: an existing stream is changed to it at start, also downwards (logged as a warning).`,
    ),
  JETSTREAM_MAX_BYTES: perStream(parseSize)
    .optional()
    .describe(
      `Largest size of each JetStream stream, beyond which its oldest messages are dropped: one size for every stream (\`2GiB\`), per stream (\`SB_TASK_EVENTS=2GiB,SB_AUDIT=4GiB\`), or both (\`1GiB,SB_AUDIT=4GiB\`); also a JSON object {"default": "1GiB", "SB_AUDIT": "4GiB"}. Sizes in bytes, KB/MB/GB (1000) or KiB/MiB/GiB (1024), at least 1MiB, or \`unlimited\`. Unset (or for a stream it does not cover): a new stream gets ${GiB}GiB and an existing stream keeps its own; what it sets is applied to existing streams at start.`,
    ),
  JETSTREAM_TASKS_PER_DAY: z.coerce
    .number()
    .int()
    .min(1)
    .max(1e9)
    .optional()
    .describe(
      `The task volume the streams that keep task history are sized for: each of them (${SIZED}) gets JETSTREAM_TASKS_PER_DAY × the days it keeps messages (JETSTREAM_MAX_AGE, or its own) × what one task stores in it, so the history the docs promise fits (e.g. 20000 tasks a day keep SB_TASK_EVENTS' 7 days in ${sizedExample(20_000)}). JETSTREAM_MAX_BYTES naming a stream wins; a stream kept without an age limit is not sized by it. Unset: ${GiB}GiB each, enough for about ${Math.floor(DEFAULT_STREAM_MAX_BYTES / 16_384 / 7).toLocaleString('en')} tasks a day.`,
    ),
  JETSTREAM_MAX_AGE: perStream(parseDuration, ageProblems)
    .optional()
    .describe(
      `How long each JetStream stream keeps a message, in the same forms as JETSTREAM_MAX_BYTES (\`SB_TASK_EVENTS=14d,SB_AUDIT=90d\`, or one value for every stream) with durations in ms, s, m, h, d or w, or \`unlimited\`; never shorter than a stream's de-duplication window. Unset (or for a stream it does not cover): a new stream gets its own (${CONTRACT_AGES}) and an existing stream keeps its own; what it sets is applied to existing streams at start.`,
    ),
};

export const JetStreamEnv = z.object(JetStreamEnvShape);
export type JetStreamEnv = z.infer<typeof JetStreamEnv>;

/** The streams' settings as the messaging library takes them (only what the environment sets). */
export interface JetStreamSettings {
  replicas?: number;
  maxBytes?: PerStream<number>;
  maxAgeMs?: PerStream<number>;
}

export function jetStreamSettings(env: JetStreamEnv): JetStreamSettings {
  const maxBytes = sizedMaxBytes(env);
  return {
    ...(env.JETSTREAM_REPLICAS !== undefined ? { replicas: env.JETSTREAM_REPLICAS } : {}),
    ...(maxBytes ? { maxBytes } : {}),
    ...(env.JETSTREAM_MAX_AGE ? { maxAgeMs: env.JETSTREAM_MAX_AGE } : {}),
  };
}

/**
 * JETSTREAM_MAX_BYTES, with the streams that keep task history sized from JETSTREAM_TASKS_PER_DAY
 * where it does not name them: tasks per day × days kept × bytes per task, at least 1 MiB.
 */
function sizedMaxBytes(env: JetStreamEnv): PerStream<number> | undefined {
  const explicit = env.JETSTREAM_MAX_BYTES;
  const perDay = env.JETSTREAM_TASKS_PER_DAY;
  if (perDay === undefined) return explicit;
  const sized: Record<string, number> = {};
  for (const stream of SIZED_STREAMS) {
    const age =
      env.JETSTREAM_MAX_AGE?.streams[stream.name] ??
      env.JETSTREAM_MAX_AGE?.default ??
      stream.maxAgeMs;
    if (age <= 0) continue; // kept forever: no size follows from a rate
    const days = Math.ceil(age / 86_400_000);
    sized[stream.name] = Math.max(KiB ** 2, perDay * days * (stream.bytesPerTask ?? 0));
  }
  return {
    ...(explicit?.default !== undefined ? { default: explicit.default } : {}),
    streams: { ...sized, ...explicit?.streams },
  };
}
