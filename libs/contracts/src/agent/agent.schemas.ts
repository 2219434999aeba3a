import { z } from 'zod';
import { TenantId } from '../identity.schemas.js';
import { lowercaseName, safeText } from '../text.schemas.js';

/**
 * An agent's name, unique in its tenant: what a task names (`agent.name`) and what the API's paths
 * hold, so one path token.
 */
export const AgentName = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[a-z0-9][a-z0-9_-]*$/,
    'must be lowercase letters, digits, "_" or "-", starting with a letter or digit',
  );
export type AgentName = z.infer<typeof AgentName>;

/** A label of an agent (`production`, `staging`, any other): a movable name for one of its versions. */
export const AgentLabelName = lowercaseName(32);
export type AgentLabelName = z.infer<typeof AgentLabelName>;

/** The label a task runs when it names an agent and neither a version nor a label. */
export const DEFAULT_AGENT_LABEL = 'production';

export const AgentVersionId = z.string().uuid();

/**
 * Which agent version a task runs, on every one of its events (`agentVersion`): the configuration
 * that produced the event, whatever a label says later. The whole stamp (hashes, model, canary) is in
 * the task's `orchestrator.task.started` and its view.
 */
export const AgentVersionRef = z.object({
  agent: z.string(),
  version: z.number().int().positive(),
  versionId: AgentVersionId,
});
export type AgentVersionRef = z.infer<typeof AgentVersionRef>;

/**
 * A tool an agent may offer: its exact name (`notes.add`) or a pattern whose `*` stands for any run
 * of characters (`notes.*`, `*`).
 */
export const ToolPattern = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.*-]+$/, 'may hold letters, digits, . _ - and * only');

export const AGENT_INSTRUCTIONS_MAX = 20_000;

/** The model an agent plans with and the parameters it sends it. */
export const AgentModel = z
  .object({
    name: z.string().min(1).max(128),
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().gt(0).max(1).optional(),
    maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();
export type AgentModel = z.infer<typeof AgentModel>;

/** How far the planner may go in one task of this agent. */
export const AgentLimits = z
  .object({
    maxSteps: z.number().int().min(1).max(100).optional(),
    maxIterations: z.number().int().min(1).max(100).optional(),
  })
  .strict();
export type AgentLimits = z.infer<typeof AgentLimits>;

/**
 * An agent's configuration: what one version holds, immutable once stored. `tools` absent: every
 * tool the task may use; empty: none.
 */
export const AgentConfig = z
  .object({
    instructions: safeText(z.string().max(AGENT_INSTRUCTIONS_MAX)),
    model: AgentModel,
    tools: z.array(ToolPattern).max(200).optional(),
    /** Remote agents (by their registry name) it may delegate to; absent: any. */
    delegates: z.array(z.string().min(1).max(128)).max(100).optional(),
    limits: AgentLimits.default({}),
  })
  .strict();
export type AgentConfig = z.infer<typeof AgentConfig>;
export type AgentConfigInput = z.input<typeof AgentConfig>;

/** The body of `POST /agent-configs`: a new agent and its first version, labelled `production`. */
export const AgentCreateRequest = z
  .object({
    name: AgentName,
    description: safeText(z.string().max(500)).optional(),
    config: AgentConfig,
    note: safeText(z.string().max(500)).optional(),
  })
  .strict();
export type AgentCreateRequest = z.infer<typeof AgentCreateRequest>;

/** The body of `POST /agent-configs/{name}/versions`: the whole new configuration. */
export const AgentVersionCreateBody = z
  .object({ config: AgentConfig, note: safeText(z.string().max(500)).optional() })
  .strict();
export const AgentVersionCreateRequest = AgentVersionCreateBody.extend({
  agent: AgentName,
}).strict();
export type AgentVersionCreateRequest = z.infer<typeof AgentVersionCreateRequest>;

/** The body of `PUT /agent-configs/{name}/labels/{label}`: the version it points at from now on. */
export const AgentLabelMoveBody = z.object({ version: z.number().int().positive() }).strict();
export const AgentLabelMoveRequest = AgentLabelMoveBody.extend({
  agent: AgentName,
  label: AgentLabelName,
}).strict();
export type AgentLabelMoveRequest = z.infer<typeof AgentLabelMoveRequest>;

/** One immutable version of an agent. */
export const AgentVersionView = z.object({
  versionId: AgentVersionId,
  agent: AgentName,
  tenantId: TenantId,
  /** 1, 2, … in the order they were made. */
  version: z.number().int().positive(),
  config: AgentConfig,
  /** sha256 (hex) of the instructions, as a task's version stamp carries it. */
  instructionsSha256: z.string().length(64),
  note: z.string().optional(),
  createdBy: z.string(),
  createdAt: z.string().datetime(),
});
export type AgentVersionView = z.infer<typeof AgentVersionView>;

/** The share of a label's traffic a canary takes: a percentage, 1 to 99. */
export const CanaryWeight = z.number().int().min(1).max(99);

/**
 * A label's canary: another version of the agent takes `weight` percent of the tasks resolving the
 * label, chosen by a hash of the task's thread (its id when it has none) — sticky per thread.
 */
export const AgentCanaryView = z.object({
  versionId: AgentVersionId,
  version: z.number().int().positive(),
  weight: CanaryWeight,
});
export type AgentCanaryView = z.infer<typeof AgentCanaryView>;

/** Where a label points (and its canary's split, if it has one). */
export const AgentLabelView = z.object({
  label: AgentLabelName,
  versionId: AgentVersionId,
  version: z.number().int().positive(),
  canary: AgentCanaryView.optional(),
  movedBy: z.string(),
  movedAt: z.string().datetime(),
});
export type AgentLabelView = z.infer<typeof AgentLabelView>;

/** An agent: its latest version number and its labels. */
export const AgentView = z.object({
  agent: AgentName,
  tenantId: TenantId,
  description: z.string().optional(),
  /** The tenant's default agent: a task naming no agent runs its `production`. */
  isDefault: z.boolean().optional(),
  latestVersion: z.number().int().positive(),
  labels: z.array(AgentLabelView),
  createdAt: z.string().datetime(),
});
export type AgentView = z.infer<typeof AgentView>;

/** A label moved: from which version (absent: it is new) to which. */
export const AgentLabelMoved = z.object({
  agent: AgentName,
  label: AgentLabelName,
  from: z.number().int().positive().optional(),
  to: z.number().int().positive(),
  versionId: AgentVersionId,
  /** False when it pointed at that version already (nothing moved, nothing audited). */
  moved: z.boolean(),
});
export type AgentLabelMoved = z.infer<typeof AgentLabelMoved>;

/** One field that differs between two versions' configurations (a JSON path, dotted). */
export const AgentConfigChange = z.object({
  path: z.string(),
  from: z.unknown().optional(),
  to: z.unknown().optional(),
});
export type AgentConfigChange = z.infer<typeof AgentConfigChange>;

export const AgentVersionDiff = z.object({
  agent: AgentName,
  from: z.number().int().positive(),
  to: z.number().int().positive(),
  changes: z.array(AgentConfigChange),
});
export type AgentVersionDiff = z.infer<typeof AgentVersionDiff>;

/**
 * Which agent version a task runs (a task request's `agent`): by `version` number or by `label`,
 * `production` when it names neither.
 */
export const TaskAgentChoice = z
  .object({
    name: AgentName,
    version: z.number().int().positive().optional(),
    label: AgentLabelName.optional(),
  })
  .strict()
  .refine((c) => c.version === undefined || c.label === undefined, {
    path: ['label'],
    message: 'give either version or label, not both',
  });
export type TaskAgentChoice = z.infer<typeof TaskAgentChoice>;

/**
 * The version stamp of a task: which agent version it ran, resolved once at its start and kept by
 * its replays (docs/agents.md). The hashes are sha256 hex: of the instructions, and of the schemas
 * of the tools it was offered (name, description, input schema; sorted by name).
 */
export const AgentStamp = z.object({
  agent: AgentName,
  versionId: AgentVersionId,
  version: z.number().int().positive(),
  /** The label it was resolved through (absent: named by version). */
  label: AgentLabelName.optional(),
  instructionsSha256: z.string().length(64),
  model: z.string(),
  toolSchemasSha256: z.string().length(64),
  /** How many tools it was offered. */
  tools: z.number().int().nonnegative(),
  /** The task named no agent: it ran its tenant's default agent. */
  byDefault: z.literal(true).optional(),
  /**
   * The label had a canary when it resolved: its version and weight, the task's bucket (0-99, from
   * the hash of its thread or task id) and whether it took the canary (bucket < weight).
   */
  canary: z
    .object({
      version: z.number().int().positive(),
      weight: CanaryWeight,
      bucket: z.number().int().min(0).max(99),
      chosen: z.boolean(),
    })
    .optional(),
});
export type AgentStamp = z.infer<typeof AgentStamp>;

/**
 * Makes an agent its tenant's default (`PUT /agent-configs/{name}/default`), or makes it not the
 * default (`DELETE`: the tenant then has none, unless another one is).
 */
export const AgentDefaultSetRequest = z
  .object({ agent: AgentName, isDefault: z.boolean() })
  .strict();
export type AgentDefaultSetRequest = z.infer<typeof AgentDefaultSetRequest>;

export const AgentDefaultView = z.object({
  /** The tenant's default agent, absent when it has none. */
  agent: AgentName.optional(),
  /** The one it replaced, if any. */
  previous: AgentName.optional(),
});
export type AgentDefaultView = z.infer<typeof AgentDefaultView>;

/** The body of `PUT /agent-configs/{name}/labels/{label}/canary`: the split (null: none). */
export const AgentCanaryBody = z
  .object({
    canary: z
      .object({ version: z.number().int().positive(), weight: CanaryWeight })
      .strict()
      .nullable(),
  })
  .strict();
export const AgentCanarySetRequest = AgentCanaryBody.extend({
  agent: AgentName,
  label: AgentLabelName,
}).strict();
export type AgentCanarySetRequest = z.infer<typeof AgentCanarySetRequest>;
