import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { APP_CONFIG } from '@switchboard/config';
import { scrubJson } from '@switchboard/contracts';
import { ReadinessRegistry } from '@switchboard/observability';

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
      super({ adapter: new PrismaPg({ connectionString: config.DATABASE_URL, max: 10 }) });
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
