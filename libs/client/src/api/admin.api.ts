import { readSse } from '../core/sse.parser.js';
import type { CallOptions, Transport } from '../core/transport.js';
import type {
  AuditCategory,
  AuditOutcome,
  AuditQueryResponse,
  AuditVerifyResponse,
  LiveMessage,
  LiveStatus,
  ServiceHealth,
} from '../wire.js';

/** `GET /audit`'s filters (docs/api.md, "Audit trail"). */
export interface AuditQuery {
  user_id?: string;
  /** A lowercase dotted action, e.g. `task.submit`. */
  action?: string;
  category?: AuditCategory;
  outcome?: AuditOutcome;
  task_id?: string;
  tenant_id?: string;
  /** At or after (ISO 8601). */
  from?: string;
  /** Before (ISO 8601). */
  to?: string;
  /** Paging: the `nextBefore` of the previous page. */
  before?: number;
  /** 1–500 (default 50). */
  limit?: number;
}

/** `GET /live`'s filters. */
export interface LiveQuery {
  task_id?: string;
  user_id?: string;
  service?: string;
  /** Also commands and health requests (see docs/console.md for what that costs). */
  commands?: boolean;
}

/** One frame of `GET /live`: what the viewer can see (`ready`, `status`), or a message (`message`). */
export type LiveFrame =
  | { event: 'ready'; data: LiveStatus & { filter: Record<string, unknown>; commands: boolean } }
  | { event: 'status'; data: LiveStatus }
  | { event: 'message'; id: number; data: LiveMessage };

/** What admins (and the platform operator) may do: the audit trail, live traffic, the services. */
export class AdminApi {
  constructor(private readonly transport: Transport) {}

  /** Audit rows, newest first (admins: their tenant's; the platform operator: any tenant's). */
  audit(query: AuditQuery = {}, options: CallOptions = {}): Promise<AuditQueryResponse> {
    return this.transport.send('GET', 'audit', options, { query: { ...query } });
  }

  /**
   * Recomputes the hash chain: an admin's tenant's, or the platform operator's whole trail (or one
   * tenant's). A long trail takes a while: no time limit of the client's own unless given.
   */
  verifyAudit(tenantId?: string, options: CallOptions = {}): Promise<AuditVerifyResponse> {
    return this.transport.send('GET', 'audit/verify', options, {
      query: { tenant_id: tenantId },
      timeoutMs: 0,
    });
  }

  /** Every service's readiness and figures. */
  services(options: CallOptions = {}): Promise<{ services: ServiceHealth[] }> {
    return this.transport.send('GET', 'services', options);
  }

  /**
   * The platform's live NATS traffic (admins), as frames until the signal aborts or the loop ends.
   * Live traffic is not kept: a dropped connection ends the iteration (open it again to go on).
   */
  async *live(query: LiveQuery = {}, options: CallOptions = {}): AsyncGenerator<LiveFrame> {
    const response = await this.transport.open({
      method: 'GET',
      path: 'live',
      accept: 'text/event-stream',
      query: { ...query, commands: query.commands ? 'true' : undefined },
      ...options,
    });
    if (!response.body) return;
    for await (const m of readSse(response.body)) {
      if (m.event !== 'ready' && m.event !== 'status' && m.event !== 'message') continue;
      const data = JSON.parse(m.data) as LiveFrame['data'];
      yield (
        m.event === 'message'
          ? { event: m.event, id: Number(m.id), data }
          : { event: m.event, data }
      ) as LiveFrame;
    }
  }
}
