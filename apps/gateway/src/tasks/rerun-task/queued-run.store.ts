import { Inject, Injectable } from '@nestjs/common';
import { type Actor, Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';

/**
 * Has the orchestrator, which owns the task rows, store a submitted replay or fork `queued` with its
 * origin (docs/replay.md), so the first `GET /tasks/{id}` after the POST names its parent and its run
 * before any replica claims it. Asked once the submission is on the stream: a row is never stored for
 * a run that was not submitted (nothing would ever claim it), and the claim, whichever comes first,
 * takes the row or finds it already made. The run is submitted by then, so a store that fails does
 * not fail the request: the run is read as before its claim (`queued`, no `run`) until it is claimed.
 */
@Injectable()
export class QueuedRunStore {
  constructor(
    private readonly bus: NatsBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Never throws. */
  async store(s: Tasks.TaskSubmission & { run: Tasks.RunOrigin }, actor: Actor): Promise<void> {
    const { taskId, request, submittedAt, correlationId, run } = s;
    await this.bus
      .request(
        Tasks.RunEnqueue,
        { taskId, request, submittedAt, correlationId, run },
        { actor, correlationId },
      )
      .then(({ stored }) => {
        if (!stored) this.logger.debug({ taskId }, 'the run was stored already (claimed first)');
      })
      .catch((e: unknown) =>
        this.logger.warn(
          { err: e, taskId },
          'could not store the run before its claim: it reads as queued, without its origin, until claimed',
        ),
      );
  }
}
