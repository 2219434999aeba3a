import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { FastifyRequest } from 'fastify';
import type { GatewayEnv } from '../config/gateway.env.js';

/**
 * DNS-rebinding protection of the MCP endpoint, as MCP's Streamable HTTP transport asks of servers: the
 * Host the request names must be one of MCP_ALLOWED_HOSTS (a rebinding page names its own, attacker's
 * host — comparing Origin with Host would let it through), and a browser's Origin must be on one of
 * those hosts or listed in MCP_ALLOWED_ORIGINS. Runs before authentication. The host is read as the
 * listener sees it: X-Forwarded-Host counts only from a proxy named in TRUST_PROXY.
 */
@Injectable()
export class McpOriginGuard implements CanActivate {
  private readonly anyHost: boolean;
  private readonly hosts: ReadonlySet<string>;
  private readonly origins: ReadonlySet<string>;

  constructor(
    @Inject(APP_CONFIG) config: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.anyHost = config.MCP_ALLOWED_HOSTS.includes('*');
    this.hosts = new Set(config.MCP_ALLOWED_HOSTS);
    this.origins = new Set(config.MCP_ALLOWED_ORIGINS.map((o) => new URL(o).origin));
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const problem = this.problemOf(request);
    if (problem) {
      this.logger.warn(
        { ip: request.ip, host: request.host, origin: request.headers.origin },
        `MCP request refused: ${problem}`,
      );
      throw new DomainError('FORBIDDEN', `the MCP endpoint refused this request: ${problem}`);
    }
    return true;
  }

  private problemOf(request: FastifyRequest): string | undefined {
    const host = request.hostname.toLowerCase();
    if (!this.anyHost && !this.hosts.has(host))
      return `Host "${clip(host)}" is not one of its hosts (MCP_ALLOWED_HOSTS)`;
    const origin = request.headers.origin;
    if (origin === undefined) return undefined; // not a browser
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed && /^https?:$/.test(parsed.protocol)) {
      if (this.origins.has(parsed.origin)) return undefined;
      if (this.hosts.has(parsed.hostname)) return undefined;
    }
    return `Origin "${clip(origin)}" is not allowed (MCP_ALLOWED_HOSTS, MCP_ALLOWED_ORIGINS)`;
  }
}

const clip = (s: string) => (s.length > 100 ? `${s.slice(0, 99)}…` : s);
