import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What travels with one unit of work (an HTTP request, a NATS message, a JetStream delivery) so that
 * logs carry the correlation id and outgoing messages carry it on. Singleton services read it here
 * instead of being request-scoped.
 */
export interface RequestContext {
  correlationId: string;
  actor?: { userId: string; role: string; email?: string; tenantId?: string };
  subject?: string;
  taskId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
  /** Runs `fn` outside any request (work of no one request: a batch of several). */
  exit<T>(fn: () => T): T {
    return storage.exit(fn);
  },
};
