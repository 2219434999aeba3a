import type { TaskPushNotificationConfig } from '@a2a-js/sdk';
import { RequestMalformedError, TaskNotFoundError } from '@a2a-js/sdk/errors';
import { Tasks, Webhooks } from '@switchboard/contracts';
import { isLegacyVersion } from './a2a.translator.js';

/**
 * A2A push notification configs ⇄ the orchestrator's (Webhooks.A2aPushConfig*). A field that cannot
 * be taken is refused with -32602 naming it as the caller wrote it: `params.url` in 1.0,
 * `params.pushNotificationConfig.url` in 0.3, whose config sits inside the request.
 */

/** Where a config's fields are in the caller's request, by version. */
export function pushFieldPrefix(version: string): string {
  return isLegacyVersion(version) ? 'params.pushNotificationConfig.' : 'params.';
}

/** A task id of the platform's, or TaskNotFound (no other id can name one of its tasks). */
export function pushTaskIdOf(taskId: string): string {
  if (!Tasks.TaskId.safeParse(taskId).success)
    throw new TaskNotFoundError(`Task not found: ${taskId}`);
  return taskId;
}

/** A config id as the orchestrator takes it, or -32602 naming the field. */
export function pushConfigIdOf(id: string, field: string): string {
  const parsed = Webhooks.A2aPushConfigId.safeParse(id);
  if (!parsed.success)
    throw new RequestMalformedError(`${field} ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}

/**
 * The orchestrator's set request for an A2A config on `taskId`, validated here so each refusal names
 * the caller's field: the URL (an absolute http(s) URL, no credentials or fragment; the URL policy is
 * the orchestrator's, its refusal named the same way), the token and the authentication's scheme and
 * credentials (they go into headers).
 */
export function pushConfigSetOf(
  config: TaskPushNotificationConfig,
  taskId: string,
  version: string,
  submitting = false,
): Webhooks.A2aPushConfigSetRequest {
  const prefix = pushFieldPrefix(version);
  if (!config.url) throw new RequestMalformedError(`${prefix}url is required`);
  const auth = config.authentication;
  if (auth && !auth.scheme)
    throw new RequestMalformedError(
      `${prefix}authentication.scheme is required with authentication (e.g. Bearer)`,
    );
  const parsed = Webhooks.A2aPushConfigSetRequest.safeParse({
    taskId,
    ...(config.id ? { configId: config.id } : {}),
    url: config.url,
    ...(config.token ? { token: config.token } : {}),
    ...(auth
      ? {
          authentication: {
            scheme: auth.scheme,
            ...(auth.credentials ? { credentials: auth.credentials } : {}),
          },
        }
      : {}),
    wireVersion: isLegacyVersion(version) ? '0.3' : '1.0',
    ...(submitting ? { submitting } : {}),
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).map(String);
  const field = path[0] === 'configId' ? 'id' : path.join('.');
  throw new RequestMalformedError(`${prefix}${field}: ${issue?.message ?? 'is invalid'}`);
}

/** A stored config as A2A's TaskPushNotificationConfig (never its credentials). */
export function fromPushConfigView(view: Webhooks.A2aPushConfigView): TaskPushNotificationConfig {
  return {
    tenant: '',
    id: view.configId,
    taskId: view.taskId,
    url: view.url,
    token: view.token ?? '',
    authentication: view.authentication
      ? { scheme: view.authentication.scheme, credentials: '' }
      : undefined,
  };
}

/**
 * The orchestrator's refusal of a field (VALIDATION `url: … the URL policy refuses …`) in the caller's
 * words; other errors unchanged.
 */
export function namePushField(message: string, version: string): string {
  return /^(url|token|authentication)\b/.test(message)
    ? `${pushFieldPrefix(version)}${message}`
    : message;
}
