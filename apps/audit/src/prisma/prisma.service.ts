import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { APP_CONFIG } from '@switchboard/config';
import { ReadinessRegistry } from '@switchboard/observability';
import type { AuditEnv } from '../config/audit.env.js';
import { PrismaClient } from '../generated/prisma/client.js';

/** The service's database client; nothing else. Readiness pings it. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(APP_CONFIG) config: AuditEnv,
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
