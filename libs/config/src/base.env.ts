import { z } from 'zod';
import { JetStreamEnvShape } from './jetstream.env.js';
import { NatsEnvShape } from './nats.env.js';

/** Booleans from the environment: true/false/1/0/yes/no/on/off (case-insensitive). */
export const envBoolean = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

export const envPort = z.coerce.number().int().min(0).max(65_535);

/** Settings every service shares. Each service extends this with its own keys. */
export const BaseEnv = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'])
    .default('development')
    .describe('Runtime environment. `production` refuses unsafe settings (e.g. AUTH_MODE=dev).'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Least severe level written to the JSON logs.'),
  LOG_PRETTY: envBoolean
    .default(false)
    .describe('Human-readable logs instead of JSON lines (local use).'),
  ...NatsEnvShape,
  NATS_CONNECTION_WAIT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600_000)
    .optional()
    .describe(
      "The most a NATS request or stored publish waits for a connection that is down or not answering (probed every 5 s) before failing UPSTREAM_UNAVAILABLE. Unset: each request's own timeout, so work in progress rides out a NATS restart. The gateway defaults to 3000: HTTP clients get 503 at once rather than a hang.",
    ),
  NATS_COMMAND_HEARTBEAT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(2_000)
    .describe(
      'How often a service this one asks to do long work (a tool call, a delegation, an HTTP exchange over XMPP) is asked to send a heartbeat while it works; three missed ones and the responder is taken for gone (the request fails, or is sent again when it may be), instead of waiting for its timeout. Responders of releases before this setting beat every 2000 ms whatever is asked: keep the default until every service runs this release.',
    ),
  ...JetStreamEnvShape,
  PORT: envPort.describe(
    'HTTP port of /health, /readiness, /metrics (and the API on the gateway). 0 picks a free port.',
  ),
  HOST: z.string().default('0.0.0.0').describe('Interface the HTTP listener binds to.'),
  INSTANCE_ID: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe('Name of this replica in logs and health answers (default: hostname-pid).'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .url()
    .optional()
    .describe(
      'OTLP/HTTP endpoint for traces (e.g. http://otel-collector:4318). Unset: spans are not exported.',
    ),
  OTEL_SERVICE_NAME: z
    .string()
    .optional()
    .describe('Service name in traces (default: the service).'),
  OTEL_TRACES_SAMPLER: z
    .enum([
      'parentbased_always_on',
      'parentbased_traceidratio',
      'parentbased_always_off',
      'always_on',
      'traceidratio',
      'always_off',
    ])
    .default('parentbased_always_on')
    .describe(
      "Which traces are recorded when OTEL_EXPORTER_OTLP_ENDPOINT is set (OpenTelemetry names). `parentbased_*` follows the caller's decision when a request carries one (the gateway honours an incoming `traceparent`); `*traceidratio` keeps OTEL_TRACES_SAMPLER_ARG of the new traces.",
    ),
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe('Share of new traces recorded by the `traceidratio` samplers (0–1).'),
  OTEL_BSP_SCHEDULE_DELAY: z.coerce
    .number()
    .int()
    .min(10)
    .max(300_000)
    .default(5_000)
    .describe(
      'Milliseconds between two exports of recorded spans to OTEL_EXPORTER_OTLP_ENDPOINT (OpenTelemetry name; a full batch of 512 goes at once): how late, at most, a finished span reaches the collector.',
    ),
  SHUTDOWN_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600_000)
    .default(10_000)
    .describe('Time allowed for in-flight work on shutdown.'),
});
export type BaseEnv = z.infer<typeof BaseEnv>;

export const databaseUrl = z
  .string()
  .url()
  .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgresql:// URL');

export const redisUrl = z
  .string()
  .url()
  .refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// or rediss:// URL');

/**
 * REDIS_KEY_PREFIX: the prefix of every key a service writes in Redis. One rule for every service,
 * because the gateway's quota counters are read and written by the orchestrator and a2a under the
 * same prefix; each service says what its keys are in its own description.
 */
export const redisKeyPrefix = z.string().max(64).default('sb:');
