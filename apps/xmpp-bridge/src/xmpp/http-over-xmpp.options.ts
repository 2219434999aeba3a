import type { Dialect } from '../config/bridge-settings.js';

export interface HttpOverXmppOptions {
  inlineMaxBytes: number;
  chunkBytes: number;
  maxBodyBytes: number;
  presenceWaitMs: number;
  dialect: Dialect;
  /** How long a server-mode request may take to deliver its chunked body. */
  bodyTimeoutMs: number;
}
