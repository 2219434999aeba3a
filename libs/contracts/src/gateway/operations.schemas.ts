import { z } from 'zod';
import { SERVICE_NAMES } from '../define.js';
import { ServiceStatus } from '../health/health.contracts.js';
import { ConnectionState } from '../xmpp/xmpp.schemas.js';

/** One service as `GET /services` reports it: a replica's readiness, or why none answered. */
export const ServiceHealth = z.union([
  ServiceStatus.extend({ reachable: z.literal(true) }),
  z.object({
    reachable: z.literal(false),
    service: z.enum(SERVICE_NAMES),
    status: z.literal('down'),
    problem: z.string(),
  }),
]);
export type ServiceHealth = z.infer<typeof ServiceHealth>;

/** `GET /agents/presence`: whether the XMPP peer of each agent reached over XMPP is online. */
export const AgentPresence = z.object({
  bridge: z
    .object({
      state: z.union([ConnectionState, z.literal('unreachable')]),
      jid: z.string().optional(),
      since: z.string().optional(),
    })
    .nullable(),
  agents: z.array(
    z.object({
      name: z.string(),
      host: z.string(),
      jid: z.string().optional(),
      online: z.boolean(),
    }),
  ),
});
export type AgentPresence = z.infer<typeof AgentPresence>;

/** One frame of `GET /live` (`event: message`). */
export const LiveMessage = z.object({
  at: z.string().datetime(),
  subject: z.string(),
  kind: z.enum([
    'command',
    'task-submission',
    'task-event',
    'event',
    'control',
    'audit',
    'health',
    'dead-letter',
    'other',
  ]),
  source: z.string().optional(),
  target: z.enum(SERVICE_NAMES).optional(),
  userId: z.string().optional(),
  /** The tenant the message acts for (its `x-sb-tenant-id` header). */
  tenantId: z.string().optional(),
  taskId: z.string().optional(),
  bytes: z.number().int().nonnegative(),
  data: z.unknown(),
  truncated: z.boolean().optional(),
  /** Messages left out before this one because the viewer read too slowly. */
  dropped: z.number().int().positive().optional(),
});
export type LiveMessage = z.infer<typeof LiveMessage>;

/**
 * What a `GET /live` viewer can see, in its `ready` event and in a `status` event when it changes: the
 * NATS identity the traffic is read as, the subject patterns watched, and those NATS refused.
 */
export const LiveStatus = z.object({
  /** `live`, or the gateway's own identity when no live identity is configured. */
  identity: z.enum(['live', 'gateway']),
  watching: z.array(z.string()),
  refused: z.array(z.object({ pattern: z.string(), reason: z.string() })),
});
export type LiveStatus = z.infer<typeof LiveStatus>;
