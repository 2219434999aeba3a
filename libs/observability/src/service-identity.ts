/** Who this process is; provided once by ObservabilityModule. */
export interface ServiceIdentity {
  service: string;
  instance: string;
  version: string;
  startedAt: number;
}

export const SERVICE_IDENTITY = Symbol.for('switchboard.service-identity');
export const LOGGER = Symbol.for('switchboard.logger');
