import {
  auditRecorderOf,
  describeSubject,
  Headers,
  SERVICE_NAMES,
  type ServiceName,
  type TrafficKind,
} from '@switchboard/contracts';
import { isSecretKey, redactSecrets } from '@switchboard/observability';

/** One NATS message as the Live view shows it. */
export interface LiveMessage {
  at: string;
  subject: string;
  kind: TrafficKind;
  /** The service that sent it (its `x-sb-source` header). */
  source?: string;
  /** The service a command is addressed to. */
  target?: ServiceName;
  userId?: string;
  /** The tenant the message acts for (its `x-sb-tenant-id` header). */
  tenantId?: string;
  taskId?: string;
  bytes: number;
  /** The payload (Nest's request envelope unwrapped), secrets redacted; cut when too large. */
  data: unknown;
  truncated?: boolean;
}

/** What one Live viewer asked to see. */
export interface LiveFilter {
  taskId?: string;
  userId?: string;
  service?: ServiceName;
  /**
   * Only messages that say they act for this tenant: a tenant admin's view with TENANCY=on. A
   * message without a tenant header (a reply, a health check) may hold anyone's data, so it is
   * left out too.
   */
  tenantId?: string;
}

export interface RawMessage {
  subject: string;
  data: Uint8Array;
  header(name: string): string | undefined;
}

const decoder = new TextDecoder();

/**
 * Turns a message into what operators may see: the payload decoded (as `npm run tail` does), secret
 * keys redacted wherever they sit — including header pairs such as `["authorization", "…"]` carried by
 * HTTP-over-XMPP requests — and cut to `maxBytes` characters of JSON.
 */
export function toLiveMessage(m: RawMessage, maxBytes: number, at = new Date()): LiveMessage {
  const info = describeSubject(m.subject);
  const userId = m.header(Headers.userId);
  const tenantId = m.header(Headers.tenantId);
  const data = redactPairs(redactSecrets(payloadOf(m.data)));
  const source = auditRecorderOf(info.kind, data) ?? m.header(Headers.source);
  const taskId = info.taskId ?? taskIdIn(data);
  const text = JSON.stringify(data) ?? 'null';
  const cut = text.length > maxBytes;
  return {
    at: at.toISOString(),
    subject: m.subject,
    kind: info.kind,
    ...(source ? { source } : {}),
    ...(info.service ? { target: info.service } : {}),
    ...(userId ? { userId } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(taskId ? { taskId } : {}),
    bytes: m.data.length,
    data: cut ? `${text.slice(0, maxBytes)}…` : data,
    ...(cut ? { truncated: true } : {}),
  };
}

/** Whether a viewer with `filter` sees `m`. */
export function matches(m: LiveMessage, filter: LiveFilter): boolean {
  if (filter.taskId && m.taskId !== filter.taskId && !m.subject.includes(filter.taskId)) {
    return false;
  }
  if (filter.userId && m.userId !== filter.userId) return false;
  if (filter.tenantId !== undefined && m.tenantId !== filter.tenantId) return false;
  if (filter.service && m.source !== filter.service && m.target !== filter.service) return false;
  return true;
}

export const LIVE_SERVICES = SERVICE_NAMES;

/** Nest's envelopes (`{pattern, data}`, `{response}`, `{err}`) unwrapped; text when not JSON. */
function payloadOf(body: Uint8Array): unknown {
  if (body.length === 0) return null;
  const text = decoder.decode(body);
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && 'pattern' in parsed && 'data' in parsed) {
      return (parsed as { data: unknown }).data;
    }
    return parsed;
  } catch {
    return text;
  }
}

function taskIdIn(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const direct = (data as { taskId?: unknown }).taskId;
  return typeof direct === 'string' ? direct : undefined;
}

/** `[name, value]` pairs whose name looks secret get their value redacted (HTTP header lists). */
function redactPairs(value: unknown, depth = 0): unknown {
  if (depth > 12 || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      isSecretKey(value[0])
    ) {
      return [value[0], '[redacted]'];
    }
    return value.map((v) => redactPairs(v, depth + 1));
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      redactPairs(v, depth + 1),
    ]),
  );
}
