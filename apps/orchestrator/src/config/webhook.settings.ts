import { envBoolean, envInt } from '@switchboard/config';
import { z } from 'zod';
import { type IpRange, parseRange } from '../webhooks/target/ip-range.js';

// The webhooks' settings, in a file of their own: orchestrator.env.ts holds every other setting.
/** Comma-separated IP addresses and CIDR ranges (IPv4 or IPv6). */
const ipRanges = z
  .string()
  .default('')
  .transform((s, ctx): IpRange[] => {
    const ranges: IpRange[] = [];
    for (const item of s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      try {
        ranges.push(parseRange(item));
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    }
    return ranges;
  });

/** The webhooks' settings (docs/webhooks.md). */
export const webhookSettings = {
  WEBHOOK_HTTPS_ONLY: z
    .string()
    .default('true')
    .pipe(envBoolean)
    .describe(
      'Webhooks: only https:// targets are accepted (on registration and at delivery). Turn off for plain-HTTP receivers on a private network, with WEBHOOK_ALLOWED_TARGETS.',
    ),
  WEBHOOK_ALLOWED_TARGETS: ipRanges.describe(
    'Webhooks: comma-separated IP addresses or CIDR ranges a webhook may reach although the URL policy refuses them by default (loopback, private, link-local, cloud metadata…), e.g. 10.20.0.0/16 for receivers inside your network, 127.0.0.1 for a local test. Checked against every address the host resolves to.',
  ),
  WEBHOOK_DENIED_TARGETS: ipRanges.describe(
    'Webhooks: comma-separated IP addresses or CIDR ranges no webhook may reach, whatever WEBHOOK_ALLOWED_TARGETS says.',
  ),
  WEBHOOK_TIMEOUT_MS: envInt(1_000, 60_000, 10_000).describe(
    'Webhooks: time limit of one delivery attempt, from connecting to the end of the response (its first WEBHOOK_RESPONSE_MAX_BYTES); past it the attempt failed and is retried.',
  ),
  WEBHOOK_RESPONSE_MAX_BYTES: envInt(0, 1_048_576, 16_384).describe(
    "Webhooks: most bytes of a receiver's response that are read (the rest is not: the connection is closed). Its status decides the attempt.",
  ),
  WEBHOOK_RETRY_INITIAL_MS: envInt(100, 3_600_000, 5_000).describe(
    'Webhooks: wait before the first retry of a failed delivery; each next wait doubles, with jitter (a random half of it), up to WEBHOOK_RETRY_MAX_DELAY_MS.',
  ),
  WEBHOOK_RETRY_MAX_DELAY_MS: envInt(100, 86_400_000, 3_600_000).describe(
    'Webhooks: the longest wait between two attempts of a delivery.',
  ),
  WEBHOOK_RETRY_FOR_MS: envInt(1_000, 30 * 86_400_000, 86_400_000).describe(
    'Webhooks: how long a delivery is retried, from its first attempt (or a redelivery); then it is dead, in the dead letters an admin can redeliver.',
  ),
  WEBHOOK_SWEEP_MS: envInt(50, 60_000, 1_000).describe(
    'Webhooks: how often each replica looks for deliveries that are due (a new one is sent at once by the replica that stored it).',
  ),
  WEBHOOK_CONCURRENCY: envInt(1, 1_000, 16).describe(
    'Webhooks: deliveries one replica sends at once.',
  ),
  WEBHOOK_ROTATION_GRACE_MS: envInt(0, 30 * 86_400_000, 86_400_000).describe(
    'Webhooks: after a signing secret is rotated, how long deliveries also carry a signature by the one it replaced (receivers switch over meanwhile).',
  ),
  WEBHOOK_RETENTION_MS: envInt(3_600_000, 365 * 86_400_000, 7 * 86_400_000).describe(
    'Webhooks: how long delivered and cancelled deliveries are kept (GET /webhooks/deliveries) before they are deleted.',
  ),
  WEBHOOK_DEAD_RETENTION_MS: envInt(3_600_000, 365 * 86_400_000, 30 * 86_400_000).describe(
    'Webhooks: how long a dead delivery stays in the dead letters before it is deleted.',
  ),
};
