import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Approvals } from '@switchboard/contracts';
import { type BusSubscription, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { BRIDGE_SETTINGS, type BridgeSettings } from '../config/bridge-settings.js';
import type { XmppApprover } from '../config/xmpp-approvers.js';
import { XmppSessionService } from '../xmpp/xmpp-session.service.js';
import { approvalRequestMessage } from './approval-form.js';

/**
 * The approvers an approval's policy names, among those with a JID: a role's JIDs when the policy
 * names the role, a user's JID when it names the user or lets the requester decide (and the requester
 * is that user) — each only if the policy lets them decide (four eyes). Admins may decide anything,
 * but are asked only when named: otherwise every request would go to them.
 */
export function approversFor(
  notice: Approvals.ApprovalRequestedPayload,
  approvers: readonly XmppApprover[],
): XmppApprover[] {
  const { roles, users, requester } = notice.policy.approvers;
  return approvers.filter((a) => {
    const named =
      a.kind === 'role'
        ? roles.includes(a.name)
        : users.includes(a.name) || (requester && a.name === notice.requestedBy);
    return (
      named && Approvals.approvalRefusal(notice.policy, notice.requestedBy, a.actor) === undefined
    );
  });
}

/**
 * Sends each new approval (`Approvals.ApprovalRequested`) to the JIDs of the approvers its policy
 * names, as a chat message with an XEP-0004 form. At most once: a notice that arrives while the XMPP
 * session is down is logged and dropped (the approval stays in the inbox and the API). In the queue
 * group `xmpp-bridge`, so a platform with several bridges asks each person once.
 */
@Injectable()
export class ApprovalNotifier implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: BusSubscription | undefined;

  constructor(
    @Inject(BRIDGE_SETTINGS) private readonly settings: BridgeSettings,
    private readonly bus: NatsBus,
    private readonly session: XmppSessionService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.bus.subscribe(
      Approvals.ApprovalRequested,
      (notice) => this.notify(notice),
      { queue: 'xmpp-bridge' },
    );
  }

  beforeApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  async notify(notice: Approvals.ApprovalRequestedPayload): Promise<void> {
    const to = approversFor(notice, this.settings.approvers);
    const log = { approvalId: notice.approvalId, taskId: notice.taskId, target: notice.target };
    if (to.length === 0) {
      this.logger.debug(log, 'no approver of this approval has a JID');
      return;
    }
    await Promise.all(
      to.map(async ({ jid, key }) => {
        try {
          await this.session.connection.send(approvalRequestMessage(notice, jid));
          this.logger.info({ ...log, jid, approver: key }, 'asked an approver over XMPP');
        } catch (err) {
          this.logger.warn(
            { ...log, jid, err },
            'could not send the approval request over XMPP (it stays in the inbox and the API)',
          );
        }
      }),
    );
  }
}
