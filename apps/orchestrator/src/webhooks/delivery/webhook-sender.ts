import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Webhooks } from '@switchboard/contracts';
import { injectTraceContext } from '@switchboard/observability';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import type { SignedHeaders } from '../signing/webhook-signature.js';
import type { CheckedTarget } from '../target/webhook-targets.js';

/** How one attempt ended. */
export interface AttemptResult {
  ok: boolean;
  /** The target's status, when it answered. */
  status?: number;
  reason?: Webhooks.WebhookFailureReason;
  /** What went wrong (or `HTTP 204`), for the delivery's record: never a header or a secret. */
  message: string;
}

/** Characters of a failed response's body kept in the delivery's record. */
const SNIPPET_CHARS = 200;
const USER_AGENT = 'Switchboard-Webhooks/1';

type Settings = Pick<OrchestratorEnv, 'WEBHOOK_TIMEOUT_MS' | 'WEBHOOK_RESPONSE_MAX_BYTES'>;

/**
 * One POST to a webhook target: to exactly the addresses the URL policy judged (the connection's
 * lookup answers them, never the resolver again), redirects not followed (a 3xx is a failed
 * attempt), the whole exchange within WEBHOOK_TIMEOUT_MS, and at most WEBHOOK_RESPONSE_MAX_BYTES of
 * the answer read. It sends the body, the signature headers and the task's W3C trace context
 * (`traceparent`: a receiver that traces may continue the task's trace), nothing else of the
 * platform's: no cookie, no token, no credential.
 */
@Injectable()
export class WebhookSender {
  constructor(@Inject(APP_CONFIG) private readonly config: Settings) {}

  /**
   * `extra`: what an A2A push notification adds (docs/a2a.md): its media type and the receiver's own
   * token and authorization, which its config holds.
   */
  send(
    target: CheckedTarget,
    headers: SignedHeaders,
    body: string,
    extra?: { contentType: string; headers: Record<string, string> },
  ): Promise<AttemptResult> {
    const { url, addresses } = target;
    const payload = Buffer.from(body, 'utf8');
    const lookup: LookupFunction = (_host, options, callback) => {
      const usable = addresses.filter((a) => !options.family || a.family === options.family);
      const first = usable[0];
      if (!first) callback(new Error('no address of the asked family'), '', 4);
      else if (options.all) (callback as unknown as AllCallback)(null, usable);
      else callback(null, first.address, first.family);
    };
    const client = url.protocol === 'https:' ? https : http;
    const trace: Record<string, string> = {};
    injectTraceContext((k, v) => (trace[k] = v));
    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const done = (r: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(r);
      };
      const req = client.request({
        method: 'POST',
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        agent: false,
        lookup,
        headers: {
          ...extra?.headers,
          ...trace,
          ...headers,
          'content-type': extra?.contentType ?? 'application/json',
          'content-length': String(payload.length),
          'user-agent': USER_AGENT,
        },
      });
      const timer = setTimeout(
        () =>
          done({
            ok: false,
            reason: 'timeout',
            message: `no answer within ${this.config.WEBHOOK_TIMEOUT_MS} ms`,
          }),
        this.config.WEBHOOK_TIMEOUT_MS,
      );
      req.on('error', (e: NodeJS.ErrnoException) =>
        done({ ok: false, reason: 'network', message: `${e.code ?? 'error'}: ${e.message}` }),
      );
      req.on('response', (res) => this.read(res, done));
      req.end(payload);
    });
  }

  /** Reads at most WEBHOOK_RESPONSE_MAX_BYTES of the answer, then judges it by its status. */
  private read(res: http.IncomingMessage, done: (r: AttemptResult) => void): void {
    const status = res.statusCode ?? 0;
    const chunks: Buffer[] = [];
    let size = 0;
    const judge = () => done(verdict(status, Buffer.concat(chunks).toString('utf8')));
    res.on('data', (chunk: Buffer) => {
      const room = this.config.WEBHOOK_RESPONSE_MAX_BYTES - size;
      if (room > 0) chunks.push(chunk.subarray(0, room));
      size += chunk.length;
      // Enough read: the status decides, the rest is not waited for.
      if (size >= this.config.WEBHOOK_RESPONSE_MAX_BYTES) judge();
    });
    res.on('end', judge);
    res.on('error', judge);
  }
}

type AllCallback = (
  err: NodeJS.ErrnoException | null,
  addresses: { address: string; family: number }[],
) => void;

function verdict(status: number, text: string): AttemptResult {
  if (status >= 200 && status < 300) return { ok: true, status, message: `HTTP ${status}` };
  if (status >= 300 && status < 400)
    return {
      ok: false,
      status,
      reason: 'redirect',
      message: `HTTP ${status}: redirects are not followed`,
    };
  const snippet = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001F\u007F]+/g, ' ')
    .trim()
    .slice(0, SNIPPET_CHARS);
  return {
    ok: false,
    status,
    reason: 'http_status',
    message: snippet ? `HTTP ${status}: ${snippet}` : `HTTP ${status}`,
  };
}
