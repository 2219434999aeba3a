import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Injectable, type Type } from '@nestjs/common';
import { MetadataScanner } from '@nestjs/core';
import { NatsContext, RpcException } from '@nestjs/microservices';
import { ListenerMetadataExplorer } from '@nestjs/microservices/listener-metadata-explorer.js';
import { Test } from '@nestjs/testing';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { type Actor, Headers as H, Schedules } from '@switchboard/contracts';
import { CommandRelay, relay, relayCall } from './command-relay.js';

const SCHEDULE = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const NOW = '2026-01-01T00:00:00.000Z';

/** Records whom it ran for; a provider the relay must get from the module. */
@Injectable()
class Calls {
  readonly seen: string[] = [];
}

@Injectable()
class ListDue {
  constructor(private readonly calls: Calls) {}
  async execute(req: { withinMs: number; limit: number }, actor: Actor) {
    this.calls.seen.push(`due ${req.withinMs} ${req.limit} for ${actor.userId}`);
    return { now: NOW, due: [] };
  }
}

@Injectable()
class Delete {
  constructor(private readonly calls: Calls) {}
  async execute(req: { scheduleId: string }, actor: Actor) {
    this.calls.seen.push(`delete ${req.scheduleId} for ${actor.userId}`);
    return { scheduleId: req.scheduleId };
  }
}

/** A service owning several operations, none a use case of its own: relayed by a call each. */
@Injectable()
class ScheduleBook {
  constructor(private readonly calls: Calls) {}
  async remove(actor: Actor, scheduleId: string) {
    this.calls.seen.push(`remove ${scheduleId} for ${actor.userId}`);
    return scheduleId;
  }
}

class SchedulesRelay extends CommandRelay(
  relay(Schedules.ScheduleDueList, ListDue),
  relay(Schedules.ScheduleDelete, Delete),
) {}

type Served = (data: unknown, ctx: NatsContext) => Promise<unknown>;

async function started(relayed: Type<object> = SchedulesRelay) {
  const app = await Test.createTestingModule({
    controllers: [relayed],
    providers: [Calls, ListDue, Delete, ScheduleBook],
  }).compile();
  const sut = app.get(relayed) as Record<string, Served>;
  const serve = (subject: string, data: unknown, userId?: string) => {
    const h = natsHeaders();
    if (userId) {
      h.set(H.userId, userId);
      h.set(H.userRole, 'user');
    }
    return (sut[subject] as Served).call(sut, data, new NatsContext([subject, h]));
  };
  return { app, sut, serve, calls: app.get(Calls) };
}

/** The error body a relayed command threw (Nest's RpcException around the platform's ErrorBody). */
async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RpcException);
    return (e as RpcException).getError() as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe(CommandRelay.name, () => {
  it("hands each command's validated request and acting user to its own use case, and replies with its answer", async () => {
    const { serve, calls } = await started();
    await expect(serve(Schedules.ScheduleDueList.subject, {}, 'ann')).resolves.toEqual({
      now: NOW,
      due: [],
    });
    await expect(
      serve(Schedules.ScheduleDelete.subject, { scheduleId: SCHEDULE }, 'bob'),
    ).resolves.toEqual({ scheduleId: SCHEDULE });
    // the request's defaults were applied before the use case saw it
    expect(calls.seen).toEqual(['due 3600000 100 for ann', `delete ${SCHEDULE} for bob`]);
  });

  it('refuses a command without an acting user (UNAUTHORIZED) or with an invalid request (VALIDATION), running nothing', async () => {
    const { serve, calls } = await started();
    const anonymous = await refusal(serve(Schedules.ScheduleDueList.subject, {}));
    expect(anonymous.code).toBe('UNAUTHORIZED');
    expect(anonymous.message).toContain(H.userId);
    const invalid = await refusal(
      serve(Schedules.ScheduleDelete.subject, { scheduleId: 'nope' }, 'ann'),
    );
    expect(invalid.code).toBe('VALIDATION');
    expect(calls.seen).toEqual([]);
  });

  it("is found by Nest's listener scan on each contract's subject, from a subclass", async () => {
    const { sut } = await started();
    const found = new ListenerMetadataExplorer(new MetadataScanner()).explore(sut);
    expect(found.map((l) => l.patterns)).toEqual([
      [Schedules.ScheduleDueList.subject],
      [Schedules.ScheduleDelete.subject],
    ]);
  });

  it('refuses a table that relays one subject twice', () => {
    expect((): Type<object> =>
      CommandRelay(
        relay(Schedules.ScheduleDelete, Delete),
        relay(Schedules.ScheduleDelete, Delete),
      ),
    ).toThrow(`${Schedules.ScheduleDelete.subject} is relayed twice`);
  });

  it("accepts only a use case whose execute takes the command's request and answers its reply", () => {
    // @ts-expect-error: ListDue neither takes a ScheduleDelete request nor answers its reply
    const mismatched = relay(Schedules.ScheduleDelete, ListDue);
    expect(mismatched.provider).toBe(ListDue);
  });

  describe(relayCall.name, () => {
    class BookRelay extends CommandRelay(
      relay(Schedules.ScheduleDueList, ListDue),
      relayCall(Schedules.ScheduleDelete, ScheduleBook, async (book, req, actor) => ({
        scheduleId: await book.remove(actor, req.scheduleId),
      })),
    ) {}

    it("hands the service, the validated request and the acting user to the entry's call, and replies with its answer", async () => {
      const { serve, calls } = await started(BookRelay);
      await expect(
        serve(Schedules.ScheduleDelete.subject, { scheduleId: SCHEDULE }, 'ann'),
      ).resolves.toEqual({ scheduleId: SCHEDULE });
      await serve(Schedules.ScheduleDueList.subject, {}, 'bob');
      expect(calls.seen).toEqual([`remove ${SCHEDULE} for ann`, 'due 3600000 100 for bob']);
    });

    it('refuses as relay does, without calling the service', async () => {
      const { serve, calls } = await started(BookRelay);
      const anonymous = await refusal(
        serve(Schedules.ScheduleDelete.subject, { scheduleId: SCHEDULE }),
      );
      expect(anonymous.code).toBe('UNAUTHORIZED');
      const invalid = await refusal(
        serve(Schedules.ScheduleDelete.subject, { scheduleId: 'nope' }, 'ann'),
      );
      expect(invalid.code).toBe('VALIDATION');
      expect(calls.seen).toEqual([]);
    });

    it("is typed to answer the command's reply, and a reply that is not is refused as HandleCommand does", async () => {
      class Wrong extends CommandRelay(
        relayCall(Schedules.ScheduleDelete, ScheduleBook, (book, req, actor) =>
          // @ts-expect-error: the call answers a string, not a ScheduleDelete reply
          book.remove(actor, req.scheduleId),
        ),
      ) {}
      const { serve } = await started(Wrong);
      const wrong = await refusal(
        serve(Schedules.ScheduleDelete.subject, { scheduleId: SCHEDULE }, 'ann'),
      );
      expect(wrong).toMatchObject({
        code: 'INTERNAL',
        message: expect.stringContaining('invalid reply'),
      });
    });
  });
});
