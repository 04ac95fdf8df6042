// @email-profiles/core: the pure domain shared by the Director, the web app and the actors.
export * from './validation/host.js';
export * from './validation/fields.js';
export * from './schemas/secret.js';
export * from './schemas/servers.js';
export * from './schemas/auth.js';
export * from './schemas/zone.js';
export * from './schemas/actor.js';
export * from './schemas/mail-settings.js';
export * from './schemas/profile.js';
export * from './schemas/profile-update.js';
export * from './schemas/profile-list.js';
export * from './failures/taxonomy.js';
export * from './verification/code.js';
export * from './verification/state.js';
export * from './verification/machine.js';
export * from './verification/changes.js';
export * from './transport/interfaces.js';
