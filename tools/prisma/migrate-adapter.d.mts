import type { PrismaPg } from '@prisma/adapter-pg';
export declare function migrateAdapter(databaseUrl: string): PrismaPg;
