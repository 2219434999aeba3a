import {
  BaseEnv,
  envPort,
  envServiceMap,
  redisKeyPrefix,
  redisUrl,
  tenantsFileSetting,
  envInt,
} from '@switchboard/config';
import { z } from 'zod';
import { parseAgentPolicy } from '../agents/agent-policy.js';
import { parseAgentsConfig } from '../agents/agents.config.js';

/** A parser from the environment's string form, reporting its problem as a zod issue. */
function parsed<T>(parse: (raw: string) => T) {
  return z.string().transform((raw, ctx) => {
    try {
      return parse(raw);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });
}

/** Why `raw` cannot be the public base URL push notifications are sent to, or undefined. */
function callbackProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL (e.g. https://switchboard.example.com)';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.search || url.hash) return 'must not carry a query or a fragment';
  return undefined;
}

export const A2aEnv = BaseEnv.extend({
  PORT: envPort.default(3003).describe('HTTP port of /health, /readiness and /metrics.'),
  A2A_AGENTS: parsed(parseAgentsConfig)
    .default([])
    .describe(
      'Remote agents by base URL: `name=url,…` (e.g. `researcher=http://researcher.agents.example`), a JSON object {"name": "url"}, or a JSON list [{"name": "researcher", "url": "http://…", "approval": {…}}] (what a Helm values list renders). The card is read from <url>/.well-known/agent-card.json. Only the list form takes `approval`: a policy (docs/approvals.md: approvers, allowSelf, expiresInMs, onExpiry) under which a person decides each delegation to that agent first.',
    ),
  SERVICE_MAP: envServiceMap.describe(
    'Hosts whose HTTP goes through the XMPP bridge (same value as the bridge\'s SERVICE_MAP: `host=jid,…` or JSON {"host": "jid"}). Other hosts are called directly.',
  ),
  TENANTS_FILE: tenantsFileSetting,
  A2A_AGENT_POLICY: parsed(parseAgentPolicy)
    .default(parseAgentPolicy('*=*'))
    .describe(
      'Which roles (or users, as `user:<id>`) may delegate to which agents: `role=agent|agent;role=*;*=agent` or JSON {"role": ["agent"]}. `*` as key is the fallback for unlisted roles; admins may use every agent. Default `*=*` (everyone, every agent).',
    ),
  A2A_CARD_TTL_MS: envInt(0, 86_400_000, 300_000).describe(
    'How long a fetched agent card is used before it is revalidated (If-None-Match); a shorter Cache-Control max-age from the agent wins.',
  ),
  A2A_CARD_TIMEOUT_MS: envInt(100, 120_000, 5_000).describe(
    'Time allowed to fetch one agent card.',
  ),
  A2A_DELEGATION_TIMEOUT_MS: envInt(1_000, 3_600_000, 240_000).describe(
    'Longest a delegation (all attempts, streaming or polling) may take before the remote task is cancelled.',
  ),
  A2A_RETRY_MAX_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(4)
    .describe(
      'Attempts per delegation when the failure is transient (connection refused, 429/502/503/504, bridge unavailable). 1 disables retries.',
    ),
  A2A_RETRY_BASE_MS: envInt(1, 60_000, 200).describe(
    'First retry delay; doubles per attempt, with full jitter.',
  ),
  A2A_RETRY_MAX_MS: envInt(1, 300_000, 5_000).describe('Upper bound of one retry delay.'),
  A2A_BREAKER_THRESHOLD: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000)
    .default(5)
    .describe('Consecutive transient failures of one agent that open its circuit breaker.'),
  A2A_BREAKER_HALF_OPEN_MS: envInt(100, 3_600_000, 30_000).describe(
    'How long an open circuit refuses delegations before one trial call is let through.',
  ),
  A2A_BRIDGE_WAIT_MS: envInt(0, 600_000, 30_000).describe(
    "How long a delegation waits for the platform's own XMPP bridge when it cannot be reached (nobody serves its subject, its heartbeats stopped: restarting, rescheduled), trying again with capped backoff; within the delegation's budget. Such failures are the platform's: they never count against an agent's circuit breaker. 0 fails at once.",
  ),
  A2A_DELEGATION_RENEW_MS: envInt(100, 60_000, 2_000).describe(
    "How often the replica running a keyed delegation renews its record on SB_DELEGATIONS; a record three renewals old belongs to a replica that is gone, and a repeat of its delegation (the orchestrator asking again) is taken over by another replica, following the agent's task. The same on every replica.",
  ),
  A2A_POLL_INTERVAL_MS: envInt(20, 60_000, 250).describe(
    'GetTask polling interval for agents that are polled (no streaming, or A2A_STREAMING says so), and after a stream that broke off before the task was final.',
  ),
  A2A_STREAMING: z
    .enum(['auto', 'http-only', 'never'])
    .default('auto')
    .describe(
      '`auto`: SendStreamingMessage to every agent whose card declares streaming, directly or through the XMPP bridge (incremental over XMPP as well); `http-only`: stream from direct-HTTP agents only and poll those behind the bridge (e.g. a peer whose XEP-0332 side cannot stream, such as slixmpp, which would deliver the stream whole at its end); `never`: always SendMessage and poll.',
    ),
  A2A_PUSH_CALLBACK_URL: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return undefined;
      const problem = callbackProblem(raw);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return raw.replace(/\/+$/, '');
    })
    .describe(
      "The gateway's public base URL as remote agents reach it (e.g. `https://switchboard.example.com`): when set, a delegation to an agent whose card offers push notifications registers `<url>/a2a/notifications/<delegationId>` with a per-delegation token and holds no stream; the agent's notification wakes the delegation, which reads the task with GetTask. Unset: no push (streaming or polling as A2A_STREAMING says).",
    ),
  A2A_PUSH_SAFETY_POLL_MS: envInt(1_000, 3_600_000, 60_000).describe(
    'While a push-mode delegation waits for a notification, GetTask this often anyway, so that a notification the agent failed to deliver delays the delegation at most this long.',
  ),
  REDIS_URL: redisUrl
    .default('redis://127.0.0.1:6379')
    .describe(
      "Redis holding the tenant quota counters (docs/quotas.md: delegationsPerDay): the gateway's, shared by every replica of every service.",
    ),
  REDIS_KEY_PREFIX: redisKeyPrefix.describe(
    "Prefix of every Redis key a2a reads and writes: the gateway's REDIS_KEY_PREFIX (the quota counters are shared).",
  ),
  A2A_AGENTS_CACHE_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(256)
    .describe('Most agent cards kept in memory.'),
});
export type A2aEnv = z.infer<typeof A2aEnv>;
