import type { FastifyReply } from 'fastify';

/**
 * Writes Server-Sent Events on a hijacked Fastify reply: named events with ids, comment heartbeats,
 * and an `onClose` that fires when the client goes away (so its resources are freed at once).
 */
export class SseWriter {
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  private constructor(
    private readonly reply: FastifyReply,
    heartbeatMs: number,
  ) {
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), heartbeatMs);
    reply.raw.on('close', () => this.dispose());
  }

  static open(
    reply: FastifyReply,
    headers: Record<string, string>,
    heartbeatMs: number,
  ): SseWriter {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
    reply.raw.flushHeaders();
    return new SseWriter(reply, heartbeatMs);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(fn: () => void): void {
    this.reply.raw.on('close', fn);
  }

  /** A named event (`event:`), with an `id:` when given, data as one JSON line. */
  event(name: string | undefined, id: string | undefined, data: unknown): void {
    let frame = '';
    if (id !== undefined) frame += `id: ${id}\n`;
    if (name) frame += `event: ${name}\n`;
    frame += `data: ${JSON.stringify(data)}\n\n`;
    this.write(frame);
  }

  /** A pre-encoded frame (e.g. from the AG-UI encoder), written as is. */
  frame(text: string): void {
    this.write(text);
  }

  end(): void {
    if (!this.closed) this.reply.raw.end();
    this.dispose();
  }

  private write(chunk: string): void {
    if (!this.closed) this.reply.raw.write(chunk);
  }

  private dispose(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
  }
}
