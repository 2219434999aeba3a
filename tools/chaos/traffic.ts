import { connect } from '@nats-io/transport-node';

/**
 * Resolves true as soon as a request is sent on `subject` (a command the platform serves), or false
 * after `timeoutMs`. The watcher only listens (it never answers) and is gone before this resolves, so
 * a request sent while the service is down still finds no responders.
 */
export async function requestSeen(
  natsUrl: string,
  subject: string,
  timeoutMs: number,
): Promise<boolean> {
  const nc = await connect({ servers: natsUrl, name: 'chaos-watch' });
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      nc.subscribe(subject, {
        max: 1,
        callback: () => {
          clearTimeout(timer);
          resolve(true);
        },
      });
    });
  } finally {
    await nc.close();
  }
}
