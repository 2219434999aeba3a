import { Gateway, Tasks } from '@switchboard/contracts';
import { z } from 'zod';
import { LiveQuery } from '../live/live.schemas.js';
import { TaskListQuery } from '../tasks/task-list.query.js';
import { listOf, ok, serviceErrors } from './openapi.operation-builders.js';
import type { Operation } from './openapi.operation.js';

/** The task list, and the routes the web console adds: its files, the caller, health, presence, live traffic. */
export const CONSOLE_OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/tasks',
    tag: 'tasks',
    summary: "The caller's tasks, newest first (admins: everyone's in their tenant)",
    description:
      "Stored tasks with status, steps, tokens and duration, filtered and paged (`nextBefore` → `before`). An admin sees every user's tasks in their tenant, or one user's with `user_id`; the platform operator (`platform-admin`) every tenant's, or one tenant's with `tenant_id`; anyone else only their own (another `user_id` is 403). Anyone but the platform operator naming another tenant gets an empty list, as for a tenant without tasks. Each task names its `tenantId`. Tasks not yet picked up by an orchestrator are not listed.",
    query: TaskListQuery,
    responses: ok('One page of tasks.', Tasks.TaskListResponse),
    errors: serviceErrors(400, 403),
  },
  {
    method: 'get',
    path: '/me',
    tag: 'meta',
    summary: 'Who the gateway takes the caller for',
    responses: ok('The authenticated user, role, tenant and authentication mode.', Gateway.Me),
    errors: [401, 403, 429],
  },
  {
    method: 'get',
    path: '/services',
    tag: 'operations',
    summary: "Every service's readiness and key figures",
    description:
      'Asks each service (`sb.health.<service>`, one replica answers) for its readiness checks, version, uptime, memory, event-loop delay and commands handled. A service no replica of which answers is `reachable: false` with the reason. The checks carry their `detail` for admins only.',
    responses: ok('One entry per service.', listOf('services', Gateway.ServiceHealth)),
    errors: [401, 403, 429],
  },
  {
    method: 'get',
    path: '/agents/presence',
    tag: 'agents',
    summary: 'Presence of the XMPP peers of the agents reached over XMPP',
    description:
      "For the agents the caller may use whose host is in SERVICE_MAP: the mapped JID and whether it is online, as the platform's xmpp-bridge sees it. `bridge` is null when no agent is reached over XMPP, `state: unreachable` when no bridge answers.",
    responses: ok('Presence.', Gateway.AgentPresence),
    errors: serviceErrors(403),
  },
  {
    method: 'get',
    path: '/live',
    tag: 'operations',
    summary: "The platform's live NATS traffic (admins)",
    description:
      "SSE: an `event: ready` once the gateway's subscriptions are in place, then one `event: message` per message on the platform's subjects (task submissions and events, domain events, audit records, control messages, dead letters; with `commands=true` also commands and health requests), secrets redacted and payloads over LIVE_MAX_PAYLOAD_BYTES cut. Replies are not shown. While a viewer of commands is connected, a request to a service with no replica times out instead of failing at once (a listener counts as a responder for NATS). A viewer that reads too slowly skips messages; the next frame's `dropped` says how many. Non-admins get 403 (audited as `live.denied`). Holds one of the user's stream slots.",
    query: LiveQuery,
    responses: {
      200: { description: 'Live traffic.', sse: 'named events', schema: Gateway.LiveMessage },
    },
    errors: [400, 401, 403, 429],
  },
  {
    method: 'get',
    path: '/console',
    tag: 'console',
    summary: 'The web console: redirects to /console/, which serves the page',
    description:
      '`GET /console/` is the console page (public; everything it shows comes from this API under the credentials the user gives it), served with a strict Content-Security-Policy. 404 when CONSOLE_ENABLED=false or the console is not built. See docs/console.md.',
    public: true,
    responses: {
      308: { description: 'To /console/ (the page).', headers: ['Location'] },
    },
    errors: [404],
  },
  {
    method: 'get',
    path: '/console/config.json',
    tag: 'console',
    summary: "The console's start-up settings",
    public: true,
    responses: ok(
      'How this gateway authenticates (and, in dev mode, its default user).',
      Gateway.ConsoleConfig,
    ),
    errors: [404],
  },
  {
    method: 'get',
    path: '/console/assets/{file}',
    tag: 'console',
    summary: "One of the console's built files",
    description:
      'Content-hashed JavaScript and CSS, brotli or gzip as the client accepts, cacheable for a year.',
    public: true,
    pathParams: {
      file: { schema: z.string(), description: 'A file name from the console page.' },
    },
    responses: { 200: { description: 'The file.' }, 304: { description: 'Not modified.' } },
    errors: [404],
  },
];
