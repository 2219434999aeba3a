import type { Webhooks } from '@switchboard/contracts';

/** What an A2A push notification's deliveries are sent with, besides the signature (never logged or shown). */
export interface PushHeaders {
  token?: string | undefined;
  authorization?: string | undefined;
  wireVersion: Webhooks.A2aPushWireVersion;
}

/**
 * Where a delivery made for an A2A push notification config (`pushConfigId` set) finds the headers
 * it is sent with. Webhooks deliver them and know nothing else of push configs: the a2a-push feature
 * answers this port (bound in TaskPortsModule), so the dependency runs one way, a2a-push → webhooks.
 */
export interface PushHeadersSource {
  /** The headers a config's deliveries carry; undefined when it has been deleted since. */
  headersOf(pushConfigId: string): Promise<PushHeaders | undefined>;
}

export const PUSH_HEADERS = Symbol('PUSH_HEADERS');
