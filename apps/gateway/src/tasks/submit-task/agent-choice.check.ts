import { Injectable } from '@nestjs/common';
import { type Actor, Agents, DomainError, isDomainError, type Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';

/**
 * A task request's `agent` is checked before the task is accepted, whichever surface it came from
 * (docs/agents.md): an agent, version or label the caller's tenant does not have is the request's
 * error — VALIDATION naming `agent.name`, `agent.version` or `agent.label` (400 over HTTP) — before
 * any task exists. The orchestrator resolves the version again at the task's start (a label may move
 * in between: the start's is the one the task runs, and the stamp says which). A replay or fork runs
 * its record's version: not checked here.
 */
@Injectable()
export class AgentChoiceCheck {
  constructor(private readonly bus: NatsBus) {}

  async check(request: Tasks.TaskRequest, actor: Actor, replaying = false): Promise<void> {
    const choice = request.agent;
    if (!choice || replaying) return;
    const view = await this.bus
      .request(Agents.AgentGet, { agent: choice.name }, { actor })
      .catch((e: unknown) => {
        if (isDomainError(e) && e.code === 'NOT_FOUND')
          throw unknown('agent.name', `your tenant has no agent ${choice.name}`);
        throw e;
      });
    if (choice.version !== undefined) {
      if (choice.version > view.latestVersion)
        throw unknown('agent.version', `agent ${choice.name} has no version ${choice.version}`);
      return;
    }
    const label = choice.label ?? Agents.DEFAULT_AGENT_LABEL;
    if (!view.labels.some((l) => l.label === label))
      throw unknown('agent.label', `agent ${choice.name} has no label ${label}`);
  }
}

function unknown(path: string, message: string): DomainError {
  return new DomainError('VALIDATION', `invalid request body: ${path}: ${message}`, {
    details: { issues: [{ path, message }] },
  });
}
