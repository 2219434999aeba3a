import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { WebhookTargetPolicy } from './webhook-target.policy.js';

/** One address a host resolves to, as `dns.lookup` gives it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** How host names are resolved (the system resolver, as Node's HTTP client does; tests replace it). */
export type HostLookup = (host: string) => Promise<ResolvedAddress[]>;
export const HOST_LOOKUP = Symbol('HOST_LOOKUP');

export const systemLookup: HostLookup = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** Why a target was refused: its scheme, an address it resolves to, or a host that does not resolve. */
export type TargetRefusalKind = 'scheme' | 'address' | 'unresolvable';

/** A target the URL policy refuses, naming the request's field and the reason. */
export class TargetRefused extends DomainError {
  constructor(
    readonly field: string,
    readonly reason: string,
    readonly kind: TargetRefusalKind,
  ) {
    super('VALIDATION', `${field}: ${reason}`, {
      details: { issues: [{ path: field, message: reason }], refusal: kind },
    });
  }
}

/** A target the policy lets the platform call, with exactly the addresses it may connect to. */
export interface CheckedTarget {
  url: URL;
  addresses: ResolvedAddress[];
}

type Settings = Pick<
  OrchestratorEnv,
  'WEBHOOK_HTTPS_ONLY' | 'WEBHOOK_ALLOWED_TARGETS' | 'WEBHOOK_DENIED_TARGETS'
>;

/**
 * Resolves a webhook URL's host and judges the URL and every address with the URL policy: on
 * registration (a subscription, a task request's webhook) and again before every delivery, whose
 * connection then goes to exactly the addresses judged here (the sender's lookup returns them), so a
 * name that resolves elsewhere a moment later (DNS rebinding) reaches nothing that was not checked.
 */
@Injectable()
export class WebhookTargets {
  readonly policy: WebhookTargetPolicy;

  constructor(
    @Inject(APP_CONFIG) config: Settings,
    @Inject(HOST_LOOKUP) private readonly lookupHost: HostLookup,
  ) {
    this.policy = new WebhookTargetPolicy({
      httpsOnly: config.WEBHOOK_HTTPS_ONLY,
      allowed: config.WEBHOOK_ALLOWED_TARGETS,
      denied: config.WEBHOOK_DENIED_TARGETS,
    });
  }

  /** The target and its addresses; TargetRefused (naming `field`) when the policy refuses it. */
  async check(urlText: string, field: string): Promise<CheckedTarget> {
    const url = new URL(urlText);
    const bad = this.policy.refuseUrl(url);
    if (bad) throw new TargetRefused(field, bad, 'scheme');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = isIP(host)
      ? [{ address: host, family: isIP(host) === 6 ? (6 as const) : (4 as const) }]
      : await this.resolve(host, field);
    for (const { address } of addresses) {
      const refused =
        address === host
          ? this.policy.refuseAddress(address)
          : this.policy.refuseResolved(host, address);
      if (refused) throw new TargetRefused(field, refused, 'address');
    }
    return { url, addresses };
  }

  private async resolve(host: string, field: string): Promise<ResolvedAddress[]> {
    try {
      const found = await this.lookupHost(host);
      if (found.length > 0) return found;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTFOUND' && code !== 'ENODATA')
        throw new DomainError(
          'UPSTREAM_UNAVAILABLE',
          `${field}: could not resolve ${host} (${code ?? 'error'})`,
          { retryable: true },
        );
    }
    throw new TargetRefused(field, `${host} does not resolve to any address`, 'unresolvable');
  }
}
