import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import { type Actor, Agents, parseOrThrow } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { ZodQueryPipe } from '../http/zod-query.pipe.js';
import {
  AgentDiffQuery,
  agentLabelOf,
  AgentNameParam,
  VersionParam,
} from './agent-config-http.schemas.js';

const nameOf = (name: string) => parseOrThrow(AgentNameParam, name, 'agent name');

/**
 * Agents as versioned configurations (docs/agents.md): create, new versions, the versions and their
 * diff, labels. The orchestrator owns them and decides who may change them; this carries the call.
 * Not `/agents`: that lists the remote agents tasks delegate to.
 */
@Controller('agent-configs')
@UseGuards(AuthGuard)
export class AgentConfigsController {
  constructor(private readonly bus: NatsBus) {}

  @Post()
  @HttpCode(201)
  create(
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Agents.AgentCreateRequest)) body: Agents.AgentCreateRequest,
  ): Promise<Agents.AgentView> {
    return this.bus.request(Agents.AgentCreate, body, { actor });
  }

  @Get()
  list(@CurrentActor() actor: Actor): Promise<{ agents: Agents.AgentView[] }> {
    return this.bus.request(Agents.AgentList, {}, { actor });
  }

  @Get(':name')
  get(@Param('name') name: string, @CurrentActor() actor: Actor): Promise<Agents.AgentView> {
    return this.bus.request(Agents.AgentGet, { agent: nameOf(name) }, { actor });
  }

  @Post(':name/versions')
  @HttpCode(201)
  addVersion(
    @Param('name') name: string,
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Agents.AgentVersionCreateBody))
    body: Pick<Agents.AgentVersionCreateRequest, 'config' | 'note'>,
  ): Promise<Agents.AgentVersionView> {
    return this.bus.request(Agents.AgentVersionCreate, { ...body, agent: nameOf(name) }, { actor });
  }

  @Get(':name/versions')
  versions(
    @Param('name') name: string,
    @CurrentActor() actor: Actor,
  ): Promise<{ versions: Agents.AgentVersionView[] }> {
    return this.bus.request(Agents.AgentVersionList, { agent: nameOf(name) }, { actor });
  }

  @Get(':name/versions/:version')
  version(
    @Param('name') name: string,
    @Param('version') version: string,
    @CurrentActor() actor: Actor,
  ): Promise<Agents.AgentVersionView> {
    return this.bus.request(
      Agents.AgentVersionGet,
      { agent: nameOf(name), version: parseOrThrow(VersionParam, version, 'version') },
      { actor },
    );
  }

  @Get(':name/diff')
  diff(
    @Param('name') name: string,
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(AgentDiffQuery)) q: AgentDiffQuery,
  ): Promise<Agents.AgentVersionDiff> {
    return this.bus.request(Agents.AgentVersionCompare, { agent: nameOf(name), ...q }, { actor });
  }

  @Put(':name/labels/:label')
  @HttpCode(200)
  moveLabel(
    @Param('name') name: string,
    @Param('label') label: string,
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Agents.AgentLabelMoveBody)) body: { version: number },
  ): Promise<Agents.AgentLabelMoved> {
    return this.bus.request(
      Agents.AgentLabelMove,
      { ...agentLabelOf(name, label), version: body.version },
      { actor },
    );
  }

  @Put(':name/labels/:label/canary')
  @HttpCode(200)
  setCanary(
    @Param('name') name: string,
    @Param('label') label: string,
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Agents.AgentCanaryBody))
    body: Pick<Agents.AgentCanarySetRequest, 'canary'>,
  ): Promise<Agents.AgentLabelView> {
    return this.bus.request(
      Agents.AgentCanarySet,
      { ...agentLabelOf(name, label), canary: body.canary },
      { actor },
    );
  }

  @Put(':name/default')
  @HttpCode(200)
  makeDefault(
    @Param('name') name: string,
    @CurrentActor() actor: Actor,
  ): Promise<Agents.AgentDefaultView> {
    return this.setDefault(name, actor, true);
  }

  @Delete(':name/default')
  @HttpCode(200)
  unmakeDefault(
    @Param('name') name: string,
    @CurrentActor() actor: Actor,
  ): Promise<Agents.AgentDefaultView> {
    return this.setDefault(name, actor, false);
  }

  private setDefault(
    name: string,
    actor: Actor,
    isDefault: boolean,
  ): Promise<Agents.AgentDefaultView> {
    return this.bus.request(Agents.AgentDefaultSet, { agent: nameOf(name), isDefault }, { actor });
  }
}
