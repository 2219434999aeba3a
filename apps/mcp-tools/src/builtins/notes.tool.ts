import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, isAdmin, sameTenant, type Tools } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import type { ToolContext, ToolImplementation } from '../registry/tool-implementation.js';
import { auditOtherTenant, readableBy, tenantUserOf } from '../tenancy/tenant-scope.js';
import { NotesRepository, type StoredNote } from './notes.repository.js';

const NOTE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    title: { type: ['string', 'null'] },
    content: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'title', 'content', 'createdAt'],
  additionalProperties: false,
};

@Injectable()
export class NotesAddTool implements ToolImplementation {
  readonly definition = {
    name: 'notes.add',
    title: 'Add a note',
    description:
      "Saves a note (text, optional title) in the user's notes and returns it with its id.",
    provider: 'notes',
    inputSchema: {
      type: 'object',
      properties: {
        content: { type: 'string', minLength: 1, maxLength: 10_000 },
        title: { type: 'string', minLength: 1, maxLength: 200 },
      },
      required: ['content'],
      additionalProperties: false,
    },
    outputSchema: NOTE_SCHEMA,
    handler: { kind: 'builtin' as const, ref: 'notes.add' },
    idempotent: false,
  };
  /** The note keeps the call's key: run again under it, the call returns that note. */
  readonly keyed = true;
  /** The note and its call's record are stored by one statement (NotesRepository.addRecorded). */
  readonly completesItsCall = true;

  constructor(private readonly notes: NotesRepository) {}

  async run(input: Record<string, unknown>, ctx: ToolContext): Promise<unknown> {
    const title = typeof input['title'] === 'string' ? input['title'] : null;
    if (ctx.call) {
      const { note, taken } = await this.notes.addRecorded(
        tenantUserOf(ctx.actor),
        String(input['content']),
        title,
        ctx.call,
      );
      // Taken: nothing was stored, and the caller answers from the record instead of this note.
      if (taken) ctx.call.taken = true;
      return note;
    }
    return this.notes.add(
      tenantUserOf(ctx.actor),
      String(input['content']),
      title,
      ctx.idempotencyKey,
    );
  }
}

@Injectable()
export class NotesGetTool implements ToolImplementation {
  readonly definition = {
    name: 'notes.get',
    title: 'Get a note',
    description: "Returns one of the user's notes by id.",
    provider: 'notes',
    inputSchema: {
      type: 'object',
      properties: { id: { type: 'string', format: 'uuid' } },
      required: ['id'],
      additionalProperties: false,
    },
    outputSchema: NOTE_SCHEMA,
    handler: { kind: 'builtin' as const, ref: 'notes.get' },
    idempotent: true,
  };

  constructor(
    private readonly notes: NotesRepository,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * The user's own note; an admin's, any note of their tenant; the platform operator's, any note.
   * Anything else is NOT_FOUND, worded as for a note that does not exist, so ids cannot be probed;
   * another tenant's note is also audited.
   */
  async run(input: Record<string, unknown>, ctx: ToolContext): Promise<unknown> {
    const id = String(input['id']);
    const note = this.visible(await this.notes.find(id), ctx);
    if (!note) throw new DomainError('NOT_FOUND', `note ${id} not found`);
    return note;
  }

  private visible(stored: StoredNote | undefined, ctx: ToolContext): Tools.Note | undefined {
    if (!stored) return undefined;
    const { tenantId, userId, ...note } = stored;
    if (!sameTenant(ctx.actor, tenantId)) {
      auditOtherTenant(this.audit, {
        category: 'tool',
        action: 'tool.call',
        resource: this.definition.name,
        ...(ctx.taskId ? { taskId: ctx.taskId } : {}),
        details: { tool: this.definition.name, noteId: note.id },
      });
      return undefined;
    }
    return ownsOrAdministers(ctx.actor, userId) ? note : undefined;
  }
}

@Injectable()
export class NotesListTool implements ToolImplementation {
  readonly definition = {
    name: 'notes.list',
    title: 'List notes',
    description: "Lists the user's most recent notes.",
    provider: 'notes',
    inputSchema: {
      type: 'object',
      properties: { limit: { type: 'integer', minimum: 1, maximum: 100 } },
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: { notes: { type: 'array', items: NOTE_SCHEMA } },
      required: ['notes'],
      additionalProperties: false,
    },
    handler: { kind: 'builtin' as const, ref: 'notes.list' },
    idempotent: true,
  };

  constructor(private readonly notes: NotesRepository) {}

  /** The caller's own notes in their tenant (the platform operator's: in every tenant). */
  async run(input: Record<string, unknown>, ctx: ToolContext): Promise<unknown> {
    const limit = typeof input['limit'] === 'number' ? input['limit'] : 20;
    return { notes: await this.notes.list(ctx.actor.userId, readableBy(ctx.actor), limit) };
  }
}

/** The note's owner, or an admin (of its tenant, which the caller checked first). */
const ownsOrAdministers = (actor: Actor, owner: string): boolean =>
  actor.userId === owner || isAdmin(actor);
