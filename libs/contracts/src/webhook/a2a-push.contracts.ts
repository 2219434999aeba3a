import { z } from 'zod';
import { pageLimit } from '../request.schemas.js';
import { commandGroup } from '../command-group.js';
import { safeText } from '../text.schemas.js';
import { TaskId } from '../task/task.schemas.js';
import { WebhookUrl } from './webhook-target.schemas.js';

// A2A push notification configs of the platform's own A2A agent (docs/a2a.md): per task, stored and
// delivered by the orchestrator's webhooks (docs/webhooks.md). The gateway's A2A edge translates the
// protocol's shapes (1.0 and 0.3) to these.

/** Configs one task may hold. */
export const A2A_PUSH_CONFIGS_PER_TASK = 10;

/** A config's id within its task: chosen by the client, or made by the platform. */
export const A2aPushConfigId = safeText(z.string().min(1).max(128)).regex(
  /^[A-Za-z0-9._:~-]+$/,
  'must be 1–128 letters, digits or . _ : ~ -',
);

/** An HTTP authentication scheme name (RFC 9110 token): `Bearer`, `Basic`, … */
const AuthScheme = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP authentication scheme, e.g. Bearer');

/** Visible ASCII and spaces only: it goes into a header. */
const HeaderValue = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[\x20-\x7E]*$/, 'must be printable ASCII (it is sent in an HTTP header)');

/** How the platform authenticates to the receiver: `Authorization: <scheme> <credentials>`. */
export const A2aPushAuthentication = z
  .object({ scheme: AuthScheme, credentials: HeaderValue(4_096).optional() })
  .strict();
export type A2aPushAuthentication = z.infer<typeof A2aPushAuthentication>;

/** The A2A wire a config's notifications are written in: the version it was set in. */
export const A2aPushWireVersion = z.enum(['1.0', '0.3']);
export type A2aPushWireVersion = z.infer<typeof A2aPushWireVersion>;

export const A2aPushConfigSetRequest = z
  .object({
    taskId: TaskId,
    /** Absent: the platform makes one. The same id again replaces that config. */
    configId: A2aPushConfigId.optional(),
    url: WebhookUrl,
    /** Sent back as `X-A2A-Notification-Token`, for the receiver to check. */
    token: HeaderValue(1_024).optional(),
    authentication: A2aPushAuthentication.optional(),
    wireVersion: A2aPushWireVersion.default('1.0'),
    /**
     * The caller is submitting this task now (A2A's config inline in SendMessage): set before the
     * orchestrator has its row. Such a config notifies only if the task turns out to be the caller's.
     */
    submitting: z.boolean().optional(),
  })
  .strict();
export type A2aPushConfigSetRequest = z.infer<typeof A2aPushConfigSetRequest>;

/** A config as it is shown: never its credentials (the scheme only). */
export const A2aPushConfigView = z.object({
  taskId: TaskId,
  configId: A2aPushConfigId,
  url: z.string(),
  token: z.string().optional(),
  authentication: z.object({ scheme: z.string() }).optional(),
  wireVersion: A2aPushWireVersion,
  createdAt: z.string().datetime(),
});
export type A2aPushConfigView = z.infer<typeof A2aPushConfigView>;

const OneConfig = z.object({ taskId: TaskId, configId: A2aPushConfigId }).strict();

/**
 * The push config commands, sb.cmd.orchestrator.a2a.push.<action>: the gateway's A2A endpoint sends them.
 */
const pushConfig = commandGroup('sb.cmd.orchestrator.a2a.push', { callers: ['gateway'] });

export const A2aPushConfigSet = pushConfig.command('set', {
  request: A2aPushConfigSetRequest,
  response: A2aPushConfigView,
  timeoutMs: 15_000,
  description:
    "Sets an A2A push notification config on a task (its owner, or an admin of its tenant; another's task is NOT_FOUND). The URL is judged by the webhooks' URL policy (VALIDATION naming `url`); at most A2A_PUSH_CONFIGS_PER_TASK per task (CONFLICT). The task's approval requests and its end are then delivered to it as A2A notifications, signed and retried like webhooks. Audited, never with the token or credentials.",
});

export const A2aPushConfigGet = pushConfig.query('get', {
  request: OneConfig,
  response: A2aPushConfigView,
  description:
    'One push notification config of a task, for the task owner or an admin of its tenant (NOT_FOUND otherwise).',
});

export const A2aPushConfigList = pushConfig.query('list', {
  request: z
    .object({
      taskId: TaskId,
      limit: pageLimit(100, 50),
      /** The `nextAfter` of the previous page. */
      after: A2aPushConfigId.optional(),
    })
    .strict(),
  response: z.object({ configs: z.array(A2aPushConfigView), nextAfter: z.string().optional() }),
  description:
    "A task's push notification configs by id, paged, for the task owner or an admin of its tenant (NOT_FOUND otherwise).",
});

export const A2aPushConfigDelete = pushConfig.command('delete', {
  request: OneConfig,
  response: z.object({ deleted: z.boolean(), cancelledDeliveries: z.number().int().nonnegative() }),
  description:
    'Deletes a push notification config (the task owner or an admin of its tenant; NOT_FOUND otherwise): its notifications not sent yet are cancelled. Audited.',
});
