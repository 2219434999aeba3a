import { Injectable } from '@nestjs/common';
import { DomainError, ErrorBody } from '@switchboard/contracts';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';

export type CallClaim =
  | { state: 'new' }
  | { state: 'completed'; output: unknown }
  | { state: 'failed'; error: ErrorBody }
  | { state: 'running' };

/** Idempotency records: the first call with a key claims it; repeats see its outcome. */
@Injectable()
export class ToolCallRepository {
  constructor(private readonly prisma: PrismaService) {}

  async claim(key: string, userId: string, tool: string): Promise<CallClaim> {
    try {
      await this.prisma.toolCall.create({
        data: { idempotencyKey: key, userId, tool, status: 'running' },
      });
      return { state: 'new' };
    } catch (e) {
      if (!(e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002')) throw e;
    }
    const row = await this.prisma.toolCall.findUnique({ where: { idempotencyKey: key } });
    if (!row) return { state: 'running' };
    if (row.userId !== userId || row.tool !== tool) {
      throw new DomainError('CONFLICT', 'idempotency key already used for another call');
    }
    if (row.status === 'completed') return { state: 'completed', output: row.output };
    if (row.status === 'failed') return { state: 'failed', error: ErrorBody.parse(row.error) };
    return { state: 'running' };
  }

  async complete(key: string, output: unknown): Promise<void> {
    await this.prisma.toolCall.update({
      where: { idempotencyKey: key },
      data: {
        status: 'completed',
        output: (output ?? null) as Prisma.InputJsonValue,
        finishedAt: new Date(),
      },
    });
  }

  async fail(key: string, error: ErrorBody): Promise<void> {
    await this.prisma.toolCall.update({
      where: { idempotencyKey: key },
      data: {
        status: 'failed',
        error: error as unknown as Prisma.InputJsonValue,
        finishedAt: new Date(),
      },
    });
  }
}
