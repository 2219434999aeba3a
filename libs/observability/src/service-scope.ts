import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<string>();

/**
 * Which service of the process the current work belongs to. A process that runs one service never
 * needs it; a cell (several services in one process, docs/architecture.md "The cell") starts each
 * service inside `runAsService`, and Node carries the name to everything the service sets up there —
 * its HTTP listener's requests, its NATS connections' messages, its timers — so the spans made while
 * serving them are the right service's (tracing.ts). Undefined outside any service.
 */
export function currentService(): string | undefined {
  return scope.getStore();
}

/** Runs `fn` (and everything it starts) as `service`'s work. */
export function runAsService<T>(service: string, fn: () => T): T {
  return scope.run(service, fn);
}
