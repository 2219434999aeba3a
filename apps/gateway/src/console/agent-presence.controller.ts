import { Controller, Get, UseGuards } from '@nestjs/common';
import { A2a, type Actor, DomainError, type Gateway, Xmpp } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';

/**
 * GET /agents/presence: for the agents the caller may use (a2a's per-role policy) whose HTTP crosses
 * XMPP, the presence of their mapped JID. `bridge` is null when no such agent exists.
 */
@Controller('agents')
@UseGuards(AuthGuard)
export class AgentPresenceController {
  constructor(private readonly bus: NatsBus) {}

  @Get('presence')
  async presence(@CurrentActor() actor: Actor): Promise<Gateway.AgentPresence> {
    const { agents } = await this.bus.request(A2a.AgentsList, {}, { actor });
    const overXmpp = agents.filter((a) => a.transport === 'xmpp');
    if (overXmpp.length === 0) return { bridge: null, agents: [] };
    let status: Xmpp.BridgeStatus | undefined;
    try {
      status = await this.bus.request(Xmpp.Status, {}, { actor });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
    }
    return {
      bridge: status
        ? { state: status.state, jid: status.jid, since: status.since }
        : { state: 'unreachable' },
      agents: overXmpp.map((a) => {
        const url = new URL(a.baseUrl);
        const peer = status?.peers.find(
          (p) => p.host.toLowerCase() === url.host || p.host.toLowerCase() === url.hostname,
        );
        return {
          name: a.name,
          host: url.host,
          ...(peer ? { jid: peer.jid } : {}),
          online: peer?.online ?? false,
        };
      }),
    };
  }
}
