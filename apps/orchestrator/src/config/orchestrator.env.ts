import {
  BaseEnv,
  csvDefault,
  databaseUrl,
  envBoolean,
  envInt,
  envPort,
  redisKeyPrefix,
  redisUrl,
  tenantsFileSetting,
} from '@switchboard/config';
import { Tasks } from '@switchboard/contracts';
import { z } from 'zod';
import { auditRelayProblem, auditRelaySettings } from './audit-relay.settings.js';
import { memorySettings } from './memory.settings.js';
import { retentionSettings } from './retention.settings.js';
import { webhookSettings } from './webhook.settings.js';

/** USD per million tokens, by model name (`*` applies to any model not listed). */
const PriceTable = z.record(
  z.string().min(1),
  z.object({ prompt: z.number().nonnegative(), completion: z.number().nonnegative() }).strict(),
);
export type PriceTable = z.infer<typeof PriceTable>;

const jsonPriceTable = z.string().transform((s, ctx) => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'must be JSON, e.g. {"gpt-4o-mini":{"prompt":0.15,"completion":0.6}}',
    });
    return z.NEVER;
  }
});

const regexList = z
  .string()
  .default('')
  .transform((s, ctx) => {
    const patterns = s
      .split('\n')
      .flatMap((line) => line.split(';;'))
      .map((x) => x.trim())
      .filter(Boolean);
    for (const p of patterns) {
      try {
        new RegExp(p, 'iu');
      } catch {
        ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${p}` });
      }
    }
    return patterns;
  });

export const OrchestratorEnv = BaseEnv.extend({
  PORT: envPort.default(3001).describe('HTTP port of /health, /readiness, /metrics.'),
  DATABASE_URL: databaseUrl
    .default('postgresql://postgres@127.0.0.1:5432/sb_orchestrator')
    .describe(
      "The orchestrator's own PostgreSQL database (tasks, planning rounds, steps, threads).",
    ),
  REDIS_URL: redisUrl
    .default('redis://127.0.0.1:6379')
    .describe(
      "Redis holding the tenant quota counters (docs/quotas.md): the gateway's, so that tokens, cost and running tasks are counted once for every replica of every service.",
    ),
  REDIS_KEY_PREFIX: redisKeyPrefix.describe(
    "Prefix of every Redis key the orchestrator reads and writes: the gateway's REDIS_KEY_PREFIX (the quota counters are shared).",
  ),
  QUOTA_TASK_LEASE_MS: envInt(10_000, 7 * 86_400_000, 600_000).describe(
    "Tenant quotas: the lease a running task's concurrentTasks slot is renewed for while a replica runs it (every half lease) and when it resumes after an approval or a crash; the gateway's QUOTA_TASK_LEASE_MS.",
  ),
  TASK_CONCURRENCY: envInt(1, 10_000, 128).describe(
    "Tasks one replica runs at once (its durable consumer's max_ack_pending).",
  ),
  TASK_TIMEOUT_MS: envInt(100, 86_400_000, 300_000).describe(
    'Wall-time budget of one task, counted from its first start (a resumed task keeps its clock). When it runs out the task fails with TIMEOUT and its cancel is broadcast, so the running tool call or delegation stops too.',
  ),
  TASK_ACK_WAIT_MS: envInt(1_000, 600_000, 30_000).describe(
    'How long a task may go without a heartbeat before JetStream hands it to another replica.',
  ),
  REPLAY_BATCH_SWEEP_MS: envInt(100, 60_000, 1_000).describe(
    'How often each replica advances the running replay batches (docs/replay.md): a batch starts its next task at most this late after one ended.',
  ),
  REPLAY_BATCH_LOST_AFTER_MS: envInt(1_000, 3_600_000, 15_000).describe(
    "How long a replay batch's started run may be without its task before a sweep sends it again (then at every sweep): its start was lost with its replica, or its tenant's quota refused it (docs/replay.md). A run sent twice still runs once.",
  ),
  SCHEDULE_TICK_MS: envInt(100, 60_000, 5_000).describe(
    'How often each replica claims the schedules that are due (docs/schedules.md): a firing starts at most this late after its due time.',
  ),
  SCHEDULE_MISFIRE_GRACE_MS: envInt(1_000, 86_400_000, 60_000).describe(
    "How late a schedule's due time may be taken and still run as on time; an older one was missed (no orchestrator ran) and follows the schedule's catch_up (docs/schedules.md).",
  ),
  SCHEDULE_CLOCK_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      "For tests only (refused with NODE_ENV=production). Path of a file holding an offset in milliseconds (an integer, e.g. 60000) that the schedules' clock adds to the wall clock, read at every reading of the time: a test that rewrites the file moves every replica's schedules past their due time at once instead of waiting for it (docs/schedules.md). A missing file is offset 0; a file that holds anything but an integer stops the orchestrator at boot, and fails a tick, with an error naming this setting. Unset: the system clock.",
    ),
  APPROVAL_SWEEP_MS: envInt(100, 60_000, 1_000).describe(
    'How often each replica expires approvals past their expiry (docs/approvals.md): an approval expires at most this late.',
  ),
  TASK_OUTAGE_WAIT_MS: envInt(0, 3_600_000, 30_000).describe(
    'How long a task waits out an unavailable service or NATS before it fails: a request that may be sent again (the tool manifest, the agent list, a tool call with its idempotency key) is retried with capped backoff (TASK_OUTAGE_RETRY_INITIAL_MS … TASK_OUTAGE_RETRY_MAX_DELAY_MS) after no responders, no reply in time or a lost connection, for up to this long after its first failure and never past TASK_TIMEOUT_MS; then the step or task fails with the last error, marked retryable. 0 turns the retries off.',
  ),
  TASK_OUTAGE_RETRY_INITIAL_MS: envInt(10, 60_000, 100).describe(
    "Wait before a task's first retry of a request that got no answer (TASK_OUTAGE_WAIT_MS); each next wait doubles, jittered, up to TASK_OUTAGE_RETRY_MAX_DELAY_MS.",
  ),
  TASK_OUTAGE_RETRY_MAX_DELAY_MS: envInt(10, 600_000, 2_000).describe(
    "The longest wait between two retries of a task's request during an outage: how late, at most, a task notices that the service or NATS is back.",
  ),
  MAX_ITERATIONS_PER_TURN: envInt(1, 100, 8).describe(
    'Planning rounds (LLM calls) per task (a legacy name: it counts per task, not per turn).',
  ),
  DEFAULT_MAX_STEPS: envInt(1, 100, 20).describe(
    'Steps (tool calls and delegations) per task unless the request asks for fewer (max_steps).',
  ),
  TASK_TOKEN_BUDGET: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'Most LLM tokens (prompt + completion) one task may use; 0 = no limit. Checked before and after every LLM call.',
    ),

  PLANNER: z
    .enum(['auto', 'builtin', 'llm'])
    .default('auto')
    .describe(
      'Which planner runs tasks. auto: the LLM when OPENAI_API_KEY or OPENAI_BASE_URL is set, else the built-in deterministic one.',
    ),
  OPENAI_API_KEY: z
    .string()
    .min(1)
    .optional()
    .describe('API key of the OpenAI-compatible server (secret; never logged).'),
  OPENAI_BASE_URL: z
    .string()
    .url()
    .optional()
    .describe(
      'Base URL of any OpenAI-compatible chat completions API, e.g. http://127.0.0.1:11434/v1. Unset: api.openai.com.',
    ),
  LLM_MODEL: z.string().min(1).default('gpt-4o-mini').describe('Model name sent to the server.'),
  LLM_TEMPERATURE: z.coerce
    .number()
    .min(0)
    .max(2)
    .default(0)
    .describe('Sampling temperature of planning calls.'),
  LLM_MAX_OUTPUT_TOKENS: envInt(16, 200_000, 2_048).describe(
    'Most tokens one planning answer may use (lowered further to what is left of TASK_TOKEN_BUDGET).',
  ),
  LLM_MAX_TOKENS_PARAM: z
    .enum(['max_tokens', 'max_completion_tokens'])
    .default('max_tokens')
    .describe(
      'Request field carrying the output limit: max_tokens (most OpenAI-compatible servers) or max_completion_tokens (OpenAI reasoning models).',
    ),
  LLM_TIMEOUT_MS: envInt(100, 600_000, 60_000).describe(
    'Time limit of one attempt of an LLM call, from the request to the last chunk of the answer (streamed or not). Past it the attempt is aborted and, like other transient failures, retried (LLM_MAX_RETRIES) within the task budget; the last one fails with TIMEOUT.',
  ),
  LLM_MAX_RETRIES: envInt(0, 10, 2).describe(
    'Retries of an LLM call after a timed-out attempt (LLM_TIMEOUT_MS), a connection error, 408, 409, 429 or 5xx, with backoff (or the wait the server asks for), within the task budget.',
  ),
  LLM_STREAM: z
    .string()
    .default('false')
    .pipe(envBoolean)
    .describe('Use streamed chat completions (usage requested with stream_options).'),
  LLM_STREAM_IDLE_MS: envInt(100, 600_000, 30_000).describe(
    'Longest silence of a streamed answer (LLM_STREAM=true), before its first chunk or between two: past it the answer counts as stalled, is abandoned and asked for again, within the LLM_TIMEOUT_MS of each attempt.',
  ),
  LLM_PRICES: jsonPriceTable
    .pipe(PriceTable)
    .optional()
    .describe(
      'Price table in USD per million tokens, JSON by model, e.g. {"gpt-4o-mini":{"prompt":0.15,"completion":0.6},"*":{...}}. Unset: no cost is reported.',
    ),
  LLM_OBSERVATION_MAX_CHARS: envInt(200, 200_000, 4_000).describe(
    'Longest tool result or error fed back to the LLM (longer ones are cut, saying so).',
  ),

  DISALLOWED_KEYWORDS: csvDefault('').describe(
    'Guardrail: comma-separated words or phrases (case-insensitive, whole words) that block a request or a reply.',
  ),
  DISALLOWED_PATTERNS: regexList.describe(
    'Guardrail: regular expressions (case-insensitive) separated by ";;" or newlines that block a request or a reply.',
  ),
  TENANTS_FILE: tenantsFileSetting,
  GUARDRAIL_STAGES: csvDefault('input,output')
    .pipe(z.array(z.enum(['input', 'output'])))
    .describe(
      "Where the guardrail checks run: input (the task text), output (everything the planner produces, and every step's result: tool outputs and errors, remote agents' answers and status texts).",
    ),

  THREAD_HISTORY_TOKENS: envInt(0, 1_000_000, 4_000).describe(
    'Token budget of the earlier turns of a thread fed back to the LLM (newest first); 0 = no history.',
  ),
  THREAD_HISTORY_MAX_TURNS: envInt(0, 1_000, 40).describe(
    'Most earlier turns of a thread fed back to the LLM.',
  ),
  THREAD_TURNS_KEPT: envInt(1, 100_000, 200).describe(
    "Turns a thread keeps (its newest; never fewer than THREAD_HISTORY_MAX_TURNS): older ones are deleted as new ones are stored, so a thread a schedule fires into for years does not grow. A replay's record keeps the history it planned with.",
  ),
  THREAD_POLICY_DEFAULT: Tasks.ThreadPolicy.default('enqueue').describe(
    'What a message to a thread that is busy with an earlier task does when its request names no thread_policy (docs/api.md, Threads): reject (409 naming the running task), enqueue (runs after it), interrupt (cancels it, then runs with the history so far), rollback (cancels it and discards its turns, then runs). enqueue by default: every message a client sends is still accepted and answered, as before there was a policy, and in order.',
  ),
  THREAD_ADMISSION_STALE_MS: envInt(10_000, 86_400_000, 900_000).describe(
    'How long a task admitted into a thread may take to be picked up before the thread stops waiting for it (its gateway died between admitting and submitting it). Longer than the work queue can be behind.',
  ),
  TENANT_RULES_CACHE_TTL_MS: envInt(0, 3_600_000, 60_000).describe(
    "How long a replica serves a tenant's default agent, scoring rules and dataset rules from memory without reading them again. A change is announced to every replica as it is made (each drops its copy at once); this bounds a replica that missed the announcement. 0 reads them for every task.",
  ),
  ...webhookSettings,
  ...memorySettings,
  ...retentionSettings,
  ...auditRelaySettings,
}).superRefine((env, ctx) => {
  const relay = auditRelayProblem(env);
  if (relay) ctx.addIssue({ code: 'custom', path: ['AUDIT_RELAY_SWEEP_AFTER_MS'], message: relay });
  if (env.SCHEDULE_CLOCK_FILE && env.NODE_ENV === 'production')
    ctx.addIssue({
      code: 'custom',
      path: ['SCHEDULE_CLOCK_FILE'],
      message: "moves the schedules' clock for tests and is refused with NODE_ENV=production",
    });
});
export type OrchestratorEnv = z.infer<typeof OrchestratorEnv>;

/** Whether this configuration runs tasks through the LLM planner. */
export function usesLlm(
  config: Pick<OrchestratorEnv, 'PLANNER' | 'OPENAI_API_KEY' | 'OPENAI_BASE_URL'>,
): boolean {
  if (config.PLANNER !== 'auto') return config.PLANNER === 'llm';
  return Boolean(config.OPENAI_API_KEY || config.OPENAI_BASE_URL);
}
