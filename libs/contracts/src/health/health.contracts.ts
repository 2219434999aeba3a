import { z } from 'zod';
import { type CommandContract, defineCommand, SERVICE_NAMES, type ServiceName } from '../define.js';

export const CheckStatus = z.enum(['up', 'down']);

export const ServiceStatus = z.object({
  service: z.string(),
  instance: z.string(),
  status: CheckStatus,
  version: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  checks: z.record(z.string(), z.object({ status: CheckStatus, detail: z.string().optional() })),
});
export type ServiceStatus = z.infer<typeof ServiceStatus>;

const StatusRequest = z.object({}).strict();

/** `sb.health.<service>`: any replica of the service answers with its readiness. */
export const HealthStatus = Object.fromEntries(
  SERVICE_NAMES.map((service) => [
    service,
    defineCommand({
      subject: `sb.health.${service}`,
      service,
      // No service sends it, operators do; `npm run status` reads the same checks over HTTP /readiness.
      callers: [],
      request: StatusRequest,
      response: ServiceStatus,
      timeoutMs: 2_000,
      description: `Readiness of one ${service} replica (its dependency checks), for operators.`,
    }),
  ]),
) as Record<ServiceName, CommandContract<string, typeof StatusRequest, typeof ServiceStatus>>;
