import { Injectable } from '@nestjs/common';
import { Tools, validationError } from '@switchboard/contracts';
import type { ToolContext, ToolImplementation } from '../registry/tool-implementation.js';
import { MemoryStore } from './memory-store.service.js';

const NAMESPACE_SCHEMA = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: [...Tools.MemoryNamespaceKind.options] },
    key: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.:@-]+$' },
  },
  required: ['kind', 'key'],
  additionalProperties: false,
};

/** The namespaces of one user (memory.remember); the tenant's shared ones are memory.share's. */
const PERSONAL_NAMESPACE_SCHEMA = {
  ...NAMESPACE_SCHEMA,
  properties: {
    ...NAMESPACE_SCHEMA.properties,
    kind: { type: 'string', enum: ['user', 'thread'] },
  },
};
const SHARED_NAMESPACE_SCHEMA = {
  ...NAMESPACE_SCHEMA,
  properties: {
    ...NAMESPACE_SCHEMA.properties,
    kind: { type: 'string', enum: ['agent', 'tenant'] },
  },
};

const ITEM_PROPERTIES = {
  id: { type: 'string', format: 'uuid' },
  namespace: NAMESPACE_SCHEMA,
  content: { type: 'string' },
  metadata: { type: 'object' },
  writtenBy: {
    type: 'object',
    properties: { userId: { type: 'string' }, taskId: { type: ['string', 'null'] } },
    required: ['userId', 'taskId'],
  },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
};
const ITEM_REQUIRED = ['id', 'namespace', 'content', 'metadata', 'writtenBy', 'createdAt'];

/** What a write tool (memory.remember, memory.share) says of itself besides what it takes. */
interface WriteToolWords {
  name: string;
  title: string;
  description: string;
  adminOnly?: boolean;
}

/**
 * The definition of a write (memory.remember, memory.share): what it takes, its namespaces those of
 * the tool, and answers; a built-in of the memory provider, not idempotent (the item keeps the key).
 */
function writeDefinition(words: WriteToolWords, namespace: object, required: string[]) {
  return {
    ...words,
    provider: 'memory',
    inputSchema: {
      type: 'object',
      properties: {
        content: { type: 'string', minLength: 1, maxLength: Tools.MEMORY_CONTENT_MAX },
        namespace,
        metadata: { type: 'object' },
      },
      required,
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: ITEM_PROPERTIES,
      required: ITEM_REQUIRED,
      additionalProperties: false,
    },
    handler: { kind: 'builtin' as const, ref: words.name },
    idempotent: false,
  };
}

/**
 * memory.remember, memory.share, memory.recall, memory.forget: the memory store (docs/memory.md) as tools, so an
 * agent's use of it is role-gated, quota-counted and approvable like any other call. The rights are
 * the store's (memory-rights.ts): a user writes their own namespace, tenant-wide writes need an admin.
 *
 * MemoryWriteTool: a write to the store (memory.remember, memory.share); the two differ in their
 * definition only.
 */
@Injectable()
export abstract class MemoryWriteTool implements ToolImplementation {
  abstract readonly definition: Tools.ToolDefinitionInput;
  /** The item keeps the call's key: run again under it, the call returns that item. */
  readonly keyed = true;

  constructor(private readonly store: MemoryStore) {}

  run(input: Record<string, unknown>, ctx: ToolContext): Promise<unknown> {
    const checked = Tools.MemoryMetadata.optional().safeParse(input['metadata']);
    if (!checked.success) throw validationError('metadata', checked.error);
    return this.store.put(ctx.actor, {
      content: String(input['content']),
      namespace: input['namespace'] as Tools.MemoryNamespace | undefined,
      metadata: checked.data,
      taskId: ctx.taskId,
      idempotencyKey: ctx.idempotencyKey,
    });
  }
}

@Injectable()
export class MemoryRememberTool extends MemoryWriteTool {
  readonly definition = writeDefinition(
    {
      name: 'memory.remember',
      title: 'Remember',
      description:
        "Stores a fact in the user's long-term memory, kept across threads: by default their own; `namespace` {kind: thread, key: <thread id>} keeps it with one conversation. Shared (agent, tenant) memory is memory.share's.",
    },
    PERSONAL_NAMESPACE_SCHEMA,
    ['content'],
  );
}

/**
 * memory.share: a write to the tenant's shared memory (agent, tenant namespaces), which every user of
 * the tenant recalls. A tool of its own so that an approval policy can hold exactly these writes for a
 * person's decision (an admin's override, docs/approvals.md) while a user's own remain immediate.
 */
@Injectable()
export class MemoryShareTool extends MemoryWriteTool {
  readonly definition = writeDefinition(
    {
      name: 'memory.share',
      title: 'Share in memory',
      description:
        "Stores a fact in the tenant's shared long-term memory (`namespace` {kind: agent|tenant, key}), recalled by every user of the tenant. Admins only.",
      adminOnly: true,
    },
    SHARED_NAMESPACE_SCHEMA,
    ['content', 'namespace'],
  );
}

@Injectable()
export class MemoryRecallTool implements ToolImplementation {
  readonly definition = {
    name: 'memory.recall',
    title: 'Recall',
    description:
      "Searches long-term memory for what matches `query` (the user's own, their thread's, the agents' and the tenant's), best matches first.",
    provider: 'memory',
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', minLength: 1, maxLength: Tools.MEMORY_QUERY_MAX },
        namespace: NAMESPACE_SCHEMA,
        limit: { type: 'integer', minimum: 1, maximum: 50 },
      },
      required: ['query'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              ...ITEM_PROPERTIES,
              score: { type: 'number' },
              matchedBy: { type: 'string', enum: ['meaning', 'words'] },
            },
            required: [...ITEM_REQUIRED, 'score'],
            additionalProperties: false,
          },
        },
      },
      required: ['items'],
      additionalProperties: false,
    },
    handler: { kind: 'builtin' as const, ref: 'memory.recall' },
    idempotent: true,
  };

  constructor(private readonly store: MemoryStore) {}

  async run(input: Record<string, unknown>, ctx: ToolContext): Promise<unknown> {
    const ns = input['namespace'] as Tools.MemoryNamespace | undefined;
    const limit = typeof input['limit'] === 'number' ? input['limit'] : 5;
    return {
      items: await this.store.search(ctx.actor, {
        query: String(input['query']),
        namespaces: ns && [ns],
        limit,
      }),
    };
  }
}

@Injectable()
export class MemoryForgetTool implements ToolImplementation {
  readonly definition = {
    name: 'memory.forget',
    title: 'Forget',
    description: 'Deletes one long-term memory item by id (its search entry goes with it).',
    provider: 'memory',
    inputSchema: {
      type: 'object',
      properties: { id: { type: 'string', format: 'uuid' } },
      required: ['id'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: { id: { type: 'string', format: 'uuid' }, deleted: { type: 'boolean' } },
      required: ['id', 'deleted'],
      additionalProperties: false,
    },
    handler: { kind: 'builtin' as const, ref: 'memory.forget' },
    // Deleting twice leaves the same state: a repeat answers deleted: false.
    idempotent: true,
  };

  constructor(private readonly store: MemoryStore) {}

  run(input: Record<string, unknown>, ctx: ToolContext): Promise<unknown> {
    return this.store.delete(ctx.actor, String(input['id']));
  }
}
