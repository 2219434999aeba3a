// The cell's own errors, in a module of their own: the primary of several cells reports them without
// loading what the services are made of.

/** The cell could not start: one message, printed as it is (the services' logs say more). */
export class CellStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CellStartError';
  }
}

/** Settings the cells cannot run with (SB_CELLS with a port they cannot share): printed as it is. */
export class CellSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CellSettingsError';
  }
}
