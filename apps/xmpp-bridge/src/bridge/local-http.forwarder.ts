// Server mode's last hop: a request that arrived over XMPP, sent to the local HTTP target (the
// gateway, or an agent's own server), and its response read back within the size and time limits.
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BRIDGE_SETTINGS, type BridgeSettings } from '../config/bridge-settings.js';
import {
  type HeaderList,
  type HttpRequestMessage,
  type HttpResponseMessage,
  isHopByHop,
} from '../http/http-message.js';

/** Set by the bridge to the requester's bare JID, as authenticated by the XMPP server. */
export const XMPP_FROM_HEADER = 'X-Xmpp-From';

@Injectable()
export class LocalHttpForwarder implements OnApplicationShutdown {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly target: URL;

  constructor(@Inject(BRIDGE_SETTINGS) private readonly settings: BridgeSettings) {
    this.target = settings.httpTarget;
    const options = { keepAlive: true, maxSockets: 128, maxFreeSockets: 32 };
    this.agent =
      this.target.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
  }

  onApplicationShutdown(): void {
    this.agent.destroy();
  }

  /** Answers with the target's response; a target that is down or slow becomes 502 or 504. */
  async forward(request: HttpRequestMessage, fromBare: string): Promise<HttpResponseMessage> {
    const base = this.target.pathname.replace(/\/$/, '');
    const path = request.resource === '*' ? base || '/' : `${base}${request.resource}`;
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of request.headers) {
      const lower = name.toLowerCase();
      // Hop-by-hop headers describe the requester's connection, not ours; the length is ours to set;
      // nobody but the bridge may claim who sent the request.
      if (
        isHopByHop(lower) ||
        lower === 'content-length' ||
        lower === XMPP_FROM_HEADER.toLowerCase()
      )
        continue;
      const prev = headers[lower];
      headers[lower] =
        prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [String(prev), value];
    }
    headers[XMPP_FROM_HEADER.toLowerCase()] = fromBare;
    if (request.body) headers['content-length'] = String(request.body.length);
    const send = this.target.protocol === 'https:' ? httpsRequest : httpRequest;
    const timeoutMs = this.settings.targetTimeoutMs;
    const limit = this.settings.maxBodyBytes;

    return new Promise<HttpResponseMessage>((resolve, reject) => {
      const req = send({
        protocol: this.target.protocol,
        hostname: this.target.hostname,
        port: this.target.port || undefined,
        method: request.method,
        path,
        headers,
        agent: this.agent,
      });
      const timer = setTimeout(() => {
        req.destroy();
        resolve(
          gatewayError(
            504,
            'Gateway Timeout',
            `the local HTTP target did not answer within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve(
          gatewayError(
            502,
            'Bad Gateway',
            `the local HTTP target is unreachable (${e.code ?? e.message})`,
          ),
        );
      });
      req.on('response', (res: IncomingMessage) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) {
            clearTimeout(timer);
            req.destroy();
            reject(
              new DomainError(
                'PAYLOAD_TOO_LARGE',
                `the response body exceeds the bridge limit of ${limit} bytes`,
                { details: { limit } },
              ),
            );
            return;
          }
          parts.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const responseHeaders: HeaderList = [];
          const raw = res.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2) {
            const name = raw[i] ?? '';
            if (!isHopByHop(name) && name.toLowerCase() !== 'content-length')
              responseHeaders.push([name, raw[i + 1] ?? '']);
          }
          resolve({
            status: res.statusCode ?? 502,
            ...(res.statusMessage ? { statusText: res.statusMessage } : {}),
            headers: responseHeaders,
            ...(size > 0 ? { body: Buffer.concat(parts, size) } : {}),
          });
        });
        res.on('error', () => {
          clearTimeout(timer);
          resolve(gatewayError(502, 'Bad Gateway', 'the local HTTP target broke off its response'));
        });
      });
      if (request.body) req.end(request.body);
      else req.end();
    });
  }
}

function gatewayError(status: number, statusText: string, message: string): HttpResponseMessage {
  return {
    status,
    statusText,
    headers: [['Content-Type', 'text/plain; charset=utf-8']],
    body: Buffer.from(message),
  };
}
