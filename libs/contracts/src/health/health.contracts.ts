import { z } from 'zod';
import { type CommandContract, defineCommand, SERVICE_NAMES, type ServiceName } from '../define.js';
import { NoArguments } from '../request.schemas.js';

export const CheckStatus = z.enum(['up', 'down']);

export const ServiceStatus = z.object({
  service: z.string(),
  instance: z.string(),
  status: CheckStatus,
  version: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  checks: z.record(z.string(), z.object({ status: CheckStatus, detail: z.string().optional() })),
  /** A few figures of the answering replica, for dashboards such as the console's Health view. */
  metrics: z
    .object({
      rssBytes: z.number().nonnegative(),
      heapUsedBytes: z.number().nonnegative(),
      /** Mean event-loop delay since the replica started, in milliseconds. */
      eventLoopDelayMs: z.number().nonnegative(),
      /** NATS commands this replica handled, and how many of them ended in an error. */
      commandsHandled: z.number().int().nonnegative(),
      commandsFailed: z.number().int().nonnegative(),
    })
    .optional(),
});
export type ServiceStatus = z.infer<typeof ServiceStatus>;

/** `sb.health.<service>`: any replica of the service answers with its readiness. */
export const HealthStatus = Object.fromEntries(
  SERVICE_NAMES.map((service) => [
    service,
    defineCommand({
      subject: `sb.health.${service}`,
      service,
      // The gateway (the console's Health view) and administrators (`switchboard call`, the `admin`
      // identity); `npm run status` reads the same checks over HTTP /readiness.
      callers: ['gateway', 'admin'],
      request: NoArguments,
      response: ServiceStatus,
      timeoutMs: 2_000,
      idempotency: 'idempotent',
      description: `Readiness of one ${service} replica (its dependency checks), for operators.`,
    }),
  ]),
) as Record<ServiceName, CommandContract<string, typeof NoArguments, typeof ServiceStatus>>;
