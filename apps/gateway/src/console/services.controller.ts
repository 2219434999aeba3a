import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  type Actor,
  DomainError,
  type Gateway,
  Health,
  isAdmin,
  SERVICE_NAMES,
} from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';

/**
 * GET /services: the readiness of every service (`sb.health.<service>`, answered by one replica of
 * each) and a few of its figures. Admins see the checks' details (they may name hosts and errors);
 * other users see which checks pass.
 */
@Controller('services')
@UseGuards(AuthGuard)
export class ServicesController {
  constructor(private readonly bus: NatsBus) {}

  @Get()
  async list(@CurrentActor() actor: Actor): Promise<{ services: Gateway.ServiceHealth[] }> {
    const admin = isAdmin(actor);
    const services = await Promise.all(
      SERVICE_NAMES.map(async (service): Promise<Gateway.ServiceHealth> => {
        try {
          const s = await this.bus.request(Health.HealthStatus[service], {}, { actor });
          return { reachable: true, ...(admin ? s : withoutDetails(s)) };
        } catch (e) {
          const problem =
            e instanceof DomainError && e.code === 'UPSTREAM_UNAVAILABLE'
              ? 'no replica is running'
              : e instanceof DomainError && e.code === 'TIMEOUT'
                ? 'no replica answered in time'
                : 'its answer could not be read';
          // Admins also get what went wrong (it may name hosts or internals).
          const why = admin && e instanceof Error ? `: ${e.message}` : '';
          return { reachable: false, service, status: 'down', problem: `${problem}${why}` };
        }
      }),
    );
    return { services };
  }
}

function withoutDetails(s: Health.ServiceStatus): Health.ServiceStatus {
  return {
    ...s,
    checks: Object.fromEntries(
      Object.entries(s.checks).map(([name, c]) => [name, { status: c.status }]),
    ),
  };
}
