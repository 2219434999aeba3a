/** DI token under which every service registers its validated config object. */
export const APP_CONFIG = Symbol.for('switchboard.app-config');
