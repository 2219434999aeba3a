import { type DynamicModule, Module } from '@nestjs/common';
import { ApprovalAnswersHandler } from './approvals/approval-answers.handler.js';
import { ApprovalNotifier } from './approvals/approval-notifier.js';
import { DecideAnswerUseCase } from './approvals/decide-answer/decide-answer.use-case.js';
import { BridgeMetrics } from './bridge/bridge.metrics.js';
import { HttpStreamHandler } from './bridge/http-stream.handler.js';
import { LocalHttpForwarder } from './bridge/local-http.forwarder.js';
import { SendHttpRequestUseCase } from './bridge/send-http-request.use-case.js';
import { ServeHttpRequestUseCase } from './bridge/serve-http-request.use-case.js';
import { XmppBridgeHandler } from './bridge/xmpp-bridge.handler.js';
import { BRIDGE_SETTINGS, type BridgeSettings } from './config/bridge-settings.js';
import { XmppSessionService } from './xmpp/xmpp-session.service.js';

/**
 * The AZTM login and HTTP over XMPP (XEP-0332). With the NATS command role (the platform's bridge)
 * it also serves the platform's requests, and asks approvers over XMPP when XMPP_APPROVERS lists
 * some; without it (an agent's bridge) it only serves XMPP.
 */
@Module({})
export class AppModule {
  static register(settings: BridgeSettings): DynamicModule {
    return {
      module: AppModule,
      controllers: settings.natsCommands ? [XmppBridgeHandler] : [],
      providers: [
        { provide: BRIDGE_SETTINGS, useValue: settings },
        BridgeMetrics,
        LocalHttpForwarder,
        SendHttpRequestUseCase,
        ServeHttpRequestUseCase,
        XmppSessionService,
        // Raw NATS subscriptions (a stream of replies per request): the NATS role only.
        ...(settings.natsCommands ? [HttpStreamHandler] : []),
        // Approvals over XMPP (XMPP_APPROVERS): only with NATS, only when someone is listed.
        ...(settings.natsCommands && settings.approvers.length > 0
          ? [ApprovalNotifier, ApprovalAnswersHandler, DecideAnswerUseCase]
          : []),
      ],
    };
  }
}
