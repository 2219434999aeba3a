import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { type Actor, Evaluations, parseOrThrow, Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { z } from 'zod';
import { agentLabelOf } from '../agent-configs/agent-config-http.schemas.js';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';

/** The body of `POST /datasets/{name}/items`. */
export const DatasetItemsBody = z
  .object({ items: z.array(Evaluations.DatasetItemInput).min(1).max(200) })
  .strict();

const datasetOf = (name: string) => parseOrThrow(Evaluations.DatasetName, name, 'dataset name');
const taskOf = (id: string) => parseOrThrow(Tasks.TaskId, id, 'task id');
const experimentOf = (id: string) => parseOrThrow(z.string().uuid(), id, 'experiment id');

/**
 * Evaluations over HTTP (docs/evaluations.md): datasets of recorded tasks, human scores, experiments.
 * The orchestrator owns them and checks every call; this carries it.
 */
@Controller()
@UseGuards(AuthGuard)
export class EvaluationsController {
  constructor(private readonly bus: NatsBus) {}

  @Post('datasets')
  @HttpCode(201)
  create(
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Evaluations.DatasetCreateBody)) body: Evaluations.DatasetCreateBody,
  ): Promise<Evaluations.DatasetView> {
    return this.bus.request(Evaluations.DatasetCreate, body, { actor });
  }

  @Get('datasets')
  list(@CurrentActor() actor: Actor) {
    return this.bus.request(Evaluations.DatasetList, {}, { actor });
  }

  @Get('datasets/:name')
  get(@Param('name') name: string, @CurrentActor() actor: Actor): Promise<Evaluations.DatasetView> {
    return this.bus.request(Evaluations.DatasetGet, { dataset: datasetOf(name) }, { actor });
  }

  @Post('datasets/:name/items')
  add(
    @Param('name') name: string,
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(DatasetItemsBody)) body: z.infer<typeof DatasetItemsBody>,
  ): Promise<Evaluations.DatasetView> {
    return this.bus.request(
      Evaluations.DatasetItemsAdd,
      { dataset: datasetOf(name), items: body.items },
      { actor },
    );
  }

  @Post('tasks/:id/scores')
  @HttpCode(201)
  score(
    @Param('id') id: string,
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Evaluations.HumanScoreBody)) body: Evaluations.HumanScoreBody,
  ): Promise<Evaluations.ScoreView> {
    return this.bus.request(Evaluations.ScoreAdd, { ...body, taskId: taskOf(id) }, { actor });
  }

  @Get('tasks/:id/scores')
  scores(@Param('id') id: string, @CurrentActor() actor: Actor) {
    return this.bus.request(Evaluations.ScoreList, { taskId: taskOf(id) }, { actor });
  }

  @Post('experiments')
  @HttpCode(202)
  start(
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Evaluations.ExperimentBody)) body: Evaluations.ExperimentBody,
  ): Promise<Evaluations.ExperimentView> {
    return this.bus.request(Evaluations.ExperimentStart, body, { actor });
  }

  @Get('experiments')
  experiments(@CurrentActor() actor: Actor) {
    return this.bus.request(Evaluations.ExperimentList, {}, { actor });
  }

  @Get('experiments/:id')
  experiment(
    @Param('id') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<Evaluations.ExperimentView> {
    return this.bus.request(
      Evaluations.ExperimentGet,
      { experimentId: experimentOf(id) },
      { actor },
    );
  }

  @Put('agent-configs/:name/labels/:label/protection')
  protect(
    @Param('name') name: string,
    @Param('label') label: string,
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Evaluations.LabelProtectionBody)) body: Evaluations.LabelProtectionBody,
  ): Promise<Evaluations.LabelProtectionView> {
    return this.bus.request(
      Evaluations.LabelProtect,
      { ...body, ...agentLabelOf(name, label) },
      { actor },
    );
  }

  @Post('scoring-rules')
  @HttpCode(201)
  addRule(
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Evaluations.ScoringRuleBody)) body: Evaluations.ScoringRuleBody,
  ): Promise<Evaluations.ScoringRuleView> {
    return this.bus.request(Evaluations.ScoringRuleCreate, body, { actor });
  }

  @Get('scoring-rules')
  rules(@CurrentActor() actor: Actor) {
    return this.bus.request(Evaluations.ScoringRuleList, {}, { actor });
  }
}
