import { Injectable } from '@nestjs/common';
import { prismaServiceOf } from '@switchboard/runtime';
import { PrismaClient } from '../generated/prisma/client.js';

/** The service's database client; nothing else. Readiness pings it (libs/runtime). */
@Injectable()
export class PrismaService extends prismaServiceOf(PrismaClient) {}
