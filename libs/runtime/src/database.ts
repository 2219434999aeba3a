import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { APP_CONFIG } from '@switchboard/config';
import { scrubJson } from '@switchboard/contracts';
import { ReadinessRegistry } from '@switchboard/observability';
import { createHash } from 'node:crypto';

/** What the database service needs of a service's generated Prisma client. */
interface PrismaClientLike {
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
  $queryRaw(query: TemplateStringsArray, ...values: unknown[]): Promise<unknown>;
}

type PrismaClientClass<T> = new (options: { adapter: PrismaPg }) => T;

/** The injectable a service gets: its own Prisma client, connected at start, pinged by readiness. */
export type PrismaServiceClass<T> = new (
  config: { DATABASE_URL: string },
  readiness: ReadinessRegistry,
) => T & OnModuleInit & OnModuleDestroy;

/**
 * The database service of a service with a PostgreSQL database (orchestrator, mcp-tools, audit),
 * built on the client Prisma generated for it: `class PrismaService extends
 * prismaServiceOf(PrismaClient) {}`. One definition of the pool, the connection at start and the
 * readiness check, instead of a copy per service.
 */
export function prismaServiceOf<T extends PrismaClientLike>(
  Client: PrismaClientClass<T>,
): PrismaServiceClass<T> {
  const Base = Client as PrismaClientClass<PrismaClientLike>;
  @Injectable()
  class PrismaService extends Base implements OnModuleInit, OnModuleDestroy {
    constructor(
      @Inject(APP_CONFIG) config: { DATABASE_URL: string },
      private readonly readiness: ReadinessRegistry,
    ) {
      super({ adapter: prismaAdapter(config.DATABASE_URL) });
    }

    async onModuleInit(): Promise<void> {
      await this.$connect();
      this.readiness.register('postgres', () => this.$queryRaw`SELECT 1`);
    }

    async onModuleDestroy(): Promise<void> {
      await this.$disconnect();
    }
  }
  return PrismaService as unknown as PrismaServiceClass<T>;
}

/** A JSON value as jsonb text for raw statements (characters jsonb refuses scrubbed); SQL NULL when absent. */
export const jsonText = (v: unknown): string | null =>
  v === undefined || v === null ? null : JSON.stringify(scrubJson(v));

/**
 * How long an unused pooled connection is kept. pg's default (10 s) closed connections between
 * bursts, and with them the statements prepared on them: a quiet minute then cost every statement a
 * parse and a plan again. Five minutes keeps them through a lull and still returns a burst's extra
 * connections to PostgreSQL.
 */
export const POOL_IDLE_MS = 300_000;

/**
 * At most this many statement texts get a name per process. The services' statements are a fixed
 * set of some dozens; a text that varies per call (a VALUES list as long as its batch, an IN list)
 * makes one text per length, and past the limit such texts go unnamed (parsed and planned per call,
 * as before) rather than filling every connection with plans used once.
 */
export const NAMED_STATEMENTS_LIMIT = 500;

/**
 * Names for prepared statements: a statement's name is a hash of its text, so each connection parses
 * and plans a hot statement once and then only binds and executes it (PostgreSQL keeps the statement
 * per connection; pg remembers which names a connection has prepared). Without names, Prisma's pg
 * adapter sends every statement unnamed: the large CTEs of the task journal were parsed and planned
 * again for every task, two thirds of the orchestrator's statement time (docs/benchmarks.md). Texts
 * past `limit` get no name (undefined: pg sends them unnamed).
 */
export function statementNames(limit = NAMED_STATEMENTS_LIMIT): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < limit) {
      name = `sb_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
      names.set(sql, name);
    }
    return name as string;
  };
}

/** The pg adapter of a service's Prisma client: its pool, kept warm, with named statements. */
export function prismaAdapter(connectionString: string, max = 10): PrismaPg {
  return new PrismaPg(
    { connectionString, max, idleTimeoutMillis: POOL_IDLE_MS },
    { statementNameGenerator: statementNames() },
  );
}
