import {
  BaseEnv,
  csv,
  envBoolean,
  envInt,
  envPort,
  natsCredsFile,
  natsNkeySeedFile,
  redisKeyPrefix,
  redisUrl,
} from '@switchboard/config';
import { UserId } from '@switchboard/contracts';
import { isIP } from 'node:net';
import { z } from 'zod';
import { mcpSettings } from './mcp.settings.js';

const ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
/** A dotted claim path such as `role` or `app_metadata.role`. */
const claimPath = z
  .string()
  .regex(
    /^[A-Za-z0-9_:$-]+(\.[A-Za-z0-9_:$-]+)*$/,
    'must be a dotted claim path like app_metadata.role',
  );

/** One trusted proxy: an address, a CIDR block, or one of proxy-addr's names for private ranges. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/** TRUST_PROXY: `false`, `true`, a hop count, or a list of proxy addresses/CIDRs. */
const trustProxy = z
  .string()
  .trim()
  .transform((raw, ctx): boolean | number | string[] => {
    const v = raw.toLowerCase();
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    if (['true', 'yes', 'on'].includes(v)) return true;
    if (/^\d{1,2}$/.test(v)) return Number(v);
    const entries = raw
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const bad = entries.filter((e) => !isProxyAddress(e));
    if (entries.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be false, true, a hop count, or proxy addresses/CIDRs (not ${bad.map((b) => JSON.stringify(b)).join(', ') || 'empty'})`,
      });
      return z.NEVER;
    }
    return entries;
  });

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']); // only this machine reaches them

export const GatewayEnv = BaseEnv.extend({
  PORT: envPort
    .default(3000)
    .describe('HTTP port of the API (and /health, /readiness, /metrics). 0 picks a free port.'),
  AUTH_MODE: z
    .enum(['dev', 'jwt', 'trusted-headers'])
    .default('jwt')
    .describe(
      'How callers are authenticated: `jwt` (bearer tokens), `trusted-headers` (behind a proxy that proves itself with TRUSTED_PROXY_SECRET) or `dev` (X-User-Id; refused with NODE_ENV=production unless HOST is a loopback address). See docs/auth.md.',
    ),
  TB_DEFAULT_USER_ID: UserId.default('dev-user').describe(
    'dev mode: the user when a request has no X-User-Id.',
  ),

  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe(
      "jwt mode: the shared HMAC secret (e.g. Supabase's legacy JWT secret) for HS256/384/512 tokens.",
    ),
  JWT_JWKS_URL: z
    .string()
    .url()
    .optional()
    .describe(
      'jwt mode: URL of the JSON Web Key Set for asymmetric tokens (e.g. https://<project>.supabase.co/auth/v1/.well-known/jwks.json). Cached; refetched when a token names an unknown `kid`.',
    ),
  JWT_ALGORITHMS: csv
    .pipe(z.array(z.enum(ALGORITHMS)).min(1, 'must list at least one algorithm'))
    .optional()
    .describe(
      'jwt mode: the accepted `alg` values, comma-separated (default: HS256 with JWT_SECRET; RS256,ES256 with JWT_JWKS_URL). `none` is never accepted.',
    ),
  JWT_ISSUER: z
    .string()
    .min(1)
    .optional()
    .describe('jwt mode: the required `iss` claim (e.g. https://<project>.supabase.co/auth/v1).'),
  JWT_AUDIENCE: z
    .string()
    .min(1)
    .optional()
    .describe('jwt mode: the required `aud` claim (Supabase: `authenticated`).'),
  JWT_CLOCK_TOLERANCE_SECONDS: envInt(0, 300, 30).describe(
    'jwt mode: leeway for `exp` and `nbf`, in seconds.',
  ),
  JWT_USER_ID_CLAIM: claimPath.default('sub').describe('jwt mode: the claim holding the user id.'),
  JWT_EMAIL_CLAIM: claimPath
    .default('email')
    .describe('jwt mode: the claim holding the e-mail address (optional in tokens).'),
  JWT_ROLE_CLAIM: claimPath
    .default('role')
    .describe('jwt mode: the claim holding the platform role, e.g. `role` or `app_metadata.role`.'),
  JWT_TENANT_CLAIM: claimPath
    .default('tenant_id')
    .describe(
      'jwt mode with TENANCY=on: the claim holding the tenant, e.g. `app_metadata.tenant_id`. A token without it is refused (403) unless its role is platform-admin.',
    ),
  JWT_DEFAULT_ROLE: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/)
    .optional()
    .describe(
      'jwt mode: the role of a token without the role claim. Unset: such tokens are refused (403).',
    ),
  JWKS_CACHE_MAX_AGE_MS: envInt(1_000, 86_400_000, 600_000).describe(
    'jwt mode: how long fetched JWKS keys are trusted before a refetch.',
  ),
  JWKS_TIMEOUT_MS: envInt(100, 60_000, 5_000).describe('jwt mode: timeout of one JWKS fetch.'),
  JWKS_COOLDOWN_MS: envInt(0, 3_600_000, 30_000).describe(
    'jwt mode: least time between two JWKS fetches triggered by unknown `kid`s (bounds what forged tokens can make the gateway fetch).',
  ),

  TRUSTED_PROXY_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe(
      'trusted-headers mode: the shared secret the proxy sends in TRUSTED_PROXY_HEADER; requests without it are refused.',
    ),
  TRUSTED_PROXY_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .default('x-proxy-secret')
    .transform((s) => s.toLowerCase())
    .describe('trusted-headers mode: the header carrying TRUSTED_PROXY_SECRET.'),

  TRUSTED_TENANT_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'must be a header name')
    .default('x-supabase-tenant-id')
    .transform((s) => s.toLowerCase())
    .describe(
      "trusted-headers mode with TENANCY=on: the header the proxy sets to the user's tenant.",
    ),
  TENANCY: envBoolean
    .default(false)
    .describe(
      "Tenants (docs/tenancy.md): `true` reads each user's tenant (JWT_TENANT_CLAIM, TRUSTED_TENANT_HEADER, or X-Tenant-Id in dev mode) and keeps tenants apart; `false` puts everyone in the tenant `default`.",
    ),

  REDIS_URL: redisUrl
    .default('redis://127.0.0.1:6379')
    .describe('Redis for rate limits and stream slots (shared by every gateway replica).'),
  REDIS_KEY_PREFIX: redisKeyPrefix.describe('Prefix of every Redis key the gateway writes.'),
  RATE_LIMIT_PER_MINUTE: envInt(0, 1_000_000, 600).describe(
    'API requests one user may make per RATE_LIMIT_WINDOW_SECONDS across all replicas; 0 disables the limit.',
  ),
  RATE_LIMIT_WINDOW_SECONDS: envInt(1, 3_600, 60).describe('Length of the rate-limit window.'),
  QUOTA_TASK_LEASE_MS: envInt(10_000, 7 * 86_400_000, 600_000).describe(
    "Tenant quotas (docs/quotas.md): how long an admitted task holds its concurrentTasks slot unless it ends first (the orchestrator releases it then, and may renew it). Frees the slots of tasks whose end was lost; keep it above the orchestrator's TASK_TIMEOUT_MS.",
  ),
  QUOTA_RETRY_AFTER_SECONDS: envInt(1, 3_600, 5).describe(
    'Tenant quotas: the Retry-After of a submission refused by concurrentTasks (when a running task ends cannot be known; tasksPerMinute refusals name the exact wait).',
  ),
  QUOTA_METRICS_MAX_TENANTS: envInt(0, 1_000, 50).describe(
    'Tenant quotas: most tenants named in the `tenant` label of the sb_quota_* metrics (those with a quota of their own, in name order, and `default`); every other tenant is counted as tenant="other".',
  ),
  MAX_STREAMS_PER_USER: envInt(0, 100_000, 20).describe(
    'Event streams (SSE) one user may hold open at once across all replicas; 0 disables the cap.',
  ),
  AUTH_FAILURE_LIMIT: envInt(0, 1_000_000, 30).describe(
    'Refused authentications one client address may cause per AUTH_FAILURE_WINDOW_SECONDS across all replicas; beyond it refusals answer 429 and are audited once per window (valid credentials still pass). 0 disables the limit.',
  ),
  AUTH_FAILURE_WINDOW_SECONDS: envInt(1, 86_400, 300).describe(
    'Length of the window of AUTH_FAILURE_LIMIT.',
  ),
  TRUST_PROXY: trustProxy
    .default(false)
    .describe(
      'Which peers may set X-Forwarded-For/-Host/-Proto (the client address that is rate-limited and audited; the host and scheme of the agent card and of the /mcp Host check): `false` (none: the headers are ignored), `true` (any; only behind a proxy that overwrites them), a hop count, or comma-separated proxy addresses/CIDRs (`10.0.0.0/8,loopback`).',
    ),
  ...mcpSettings,
  STREAM_LEASE_MS: envInt(5_000, 3_600_000, 60_000).describe(
    'How long a stream slot survives its gateway without renewal (frees slots of a crashed replica).',
  ),

  BODY_LIMIT_BYTES: envInt(1_024, 50 * 1_048_576, 65_536).describe(
    'Largest accepted request body, in bytes (413 above).',
  ),
  SUBMIT_WAIT_MS: envInt(0, 60_000, 10_000).describe(
    'How long a submission waits for JetStream to store it when it cannot at once (a stream electing a new leader after a NATS node died, the gateway reconnecting): it is offered again, de-duplicated by task id, before the client gets 503. 0 answers 503 at once.',
  ),
  RESULT_TIMEOUT_MS: envInt(100, 3_600_000, 300_000).describe(
    'How long POST /orchestrate waits for the answer before answering 504 (the task keeps running).',
  ),
  SSE_HEARTBEAT_MS: envInt(100, 300_000, 15_000).describe(
    'Longest silence on an SSE stream: a stream that wrote nothing for this long gets a comment heartbeat, so idle proxies do not close it.',
  ),
  SSE_MAX_BUFFER_BYTES: envInt(1_024, 256 * 1_048_576, 1_048_576).describe(
    'Unsent bytes one event stream may hold for a client that reads too slowly; beyond it the client is disconnected (the task keeps running and the client can resume with Last-Event-ID).',
  ),
  TASK_OWNER_TTL_MS: envInt(60_000, 366 * 86_400_000, 7 * 86_400_000).describe(
    "How long the gateway remembers in Redis who submitted a task (so its submitter can follow it before the orchestrator has claimed it, or while the orchestrator is unreachable). The orchestrator's own record answers after that.",
  ),
  TASK_STALL_CHECK_MS: envInt(100, 3_600_000, 30_000).describe(
    'How long a followed task may stay silent before the gateway reads its stored state: a task that has ended without its terminal event reaching the gateway (or whose events have expired) ends the stream with that outcome instead of leaving it open.',
  ),
  TASK_OUTCOME_GRACE_MS: envInt(100, 60_000, 2_000).describe(
    'How long a followed task that is stored as ended may still be missing its last events before the gateway ends the stream with the stored outcome in their place (the orchestrator stores the outcome a moment before it publishes the terminal event).',
  ),
  EXPOSE_OPENAPI: envBoolean
    .default(true)
    .describe('Serve the OpenAPI document at GET /openapi.json.'),
  CONSOLE_ENABLED: envBoolean
    .default(true)
    .describe(
      'Serve the web console at /console/ (its files are public; everything it shows comes from the API, under the same authentication). See docs/console.md.',
    ),
  CONSOLE_DIR: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Directory of the built console (index.html and assets/). Default: the build output next to the gateway's (dist/apps/console).",
    ),
  NATS_CONNECTION_WAIT_MS: envInt(0, 60_000, 3_000).describe(
    'How long a request waits for a NATS connection that is down or not answering before the client gets 503 UPSTREAM_UNAVAILABLE (submissions also get SUBMIT_WAIT_MS). The gateway probes its connection every 5 s; /readiness answers 503 meanwhile.',
  ),
  LIVE_NATS_USER: z
    .string()
    .optional()
    .describe(
      "GET /live (the console's Live view) reads the platform's traffic on a second NATS connection, as the read-only `live` identity: its user (with LIVE_NATS_PASSWORD). Or LIVE_NATS_NKEY_SEED_FILE / LIVE_NATS_CREDS_FILE. None of them: the gateway's own connection, which a NATS with the platform's identities refuses — the Live view then says what it may not see. Servers and TLS are NATS_*'s.",
    ),
  LIVE_NATS_PASSWORD: z.string().optional().describe('Password of LIVE_NATS_USER.'),
  LIVE_NATS_NKEY_SEED_FILE: natsNkeySeedFile()
    .optional()
    .describe(
      'File holding the NKey seed of the `live` identity (GET /live), instead of a password.',
    ),
  LIVE_NATS_CREDS_FILE: natsCredsFile()
    .optional()
    .describe(
      'NATS credentials file of the `live` identity (GET /live), for servers in operator mode.',
    ),
  LIVE_MAX_PAYLOAD_BYTES: envInt(256, 1_048_576, 16_384).describe(
    "GET /live (the console's Live view): a message payload larger than this is shown cut to this many characters, marked as truncated.",
  ),
}).superRefine((env, ctx) => {
  const problem = (variable: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [variable], message });
  // dev mode trusts X-User-Id: in production only on the loopback, which only this machine reaches
  if (env.AUTH_MODE === 'dev' && env.NODE_ENV === 'production' && !LOOPBACK.has(env.HOST))
    problem(
      'AUTH_MODE',
      'dev mode trusts X-User-Id and is refused with NODE_ENV=production unless HOST is a loopback address (127.0.0.1, ::1, localhost)',
    );
  if (env.AUTH_MODE === 'jwt' && !env.JWT_SECRET && !env.JWT_JWKS_URL)
    problem('JWT_SECRET', 'jwt mode needs JWT_SECRET or JWT_JWKS_URL');
  if (env.AUTH_MODE === 'trusted-headers' && !env.TRUSTED_PROXY_SECRET)
    problem('TRUSTED_PROXY_SECRET', 'trusted-headers mode needs TRUSTED_PROXY_SECRET');
  const algs = env.JWT_ALGORITHMS ?? [];
  if (algs.some((a) => a.startsWith('HS')) && !env.JWT_SECRET)
    problem('JWT_ALGORITHMS', 'HS* algorithms need JWT_SECRET');
  if (algs.some((a) => !a.startsWith('HS')) && !env.JWT_JWKS_URL)
    problem('JWT_ALGORITHMS', 'asymmetric algorithms need JWT_JWKS_URL');
});
export type GatewayEnv = z.infer<typeof GatewayEnv>;
