import { type Actor, isAdmin, spansTenants, type Tasks, tenantOf } from '@switchboard/contracts';

/** The scope of the platform operator, and of the orchestrator's own reads of a task it runs. */
export const ALL_TENANTS = Symbol('all tenants');

/**
 * Which tenant's rows a read may see: one tenant's (an actor's own), or every tenant's. Every read on
 * behalf of someone takes one, so the tenant condition sits in the query's own where clause.
 */
export type TenantScope = string | typeof ALL_TENANTS;

/** An actor's scope: their own tenant (DEFAULT_TENANT for none), or every one for the platform operator. */
export function scopeOf(actor: Pick<Actor, 'role' | 'tenantId'> | undefined): TenantScope {
  return spansTenants(actor) ? ALL_TENANTS : tenantOf(actor);
}

/** The scope as a Prisma condition (nothing for every tenant). */
export function tenantWhere(scope: TenantScope): { tenantId?: string } {
  return scope === ALL_TENANTS ? {} : { tenantId: scope };
}

/** A task and its tenant: what every row written for the task names. */
export interface TaskRef {
  taskId: string;
  tenantId: string;
}

/** The task of a submission, in its submitter's tenant (every row of the task takes that tenant). */
export function taskRefOf(s: Pick<Tasks.TaskSubmission, 'taskId' | 'actor'>): TaskRef {
  return { taskId: s.taskId, tenantId: tenantOf(s.actor) };
}

/** Whose owned things a read sees: a scope of tenants, and one user unless the actor is an admin. */
export interface Audience {
  scope: TenantScope;
  userId?: string | undefined;
}

/**
 * Who sees owned things (webhooks, deliveries, schedules): their owner; an admin, every one of their
 * tenant; the platform operator, every tenant's. Anything else is answered as missing.
 */
export function audienceOf(actor: Actor): Audience {
  return { scope: scopeOf(actor), ...(isAdmin(actor) ? {} : { userId: actor.userId }) };
}

/** The audience as a Prisma condition: its tenant (nothing for every tenant), and its user when set. */
export function audienceWhere(who: Audience): { tenantId?: string; userId?: string } {
  return { ...tenantWhere(who.scope), ...(who.userId ? { userId: who.userId } : {}) };
}
