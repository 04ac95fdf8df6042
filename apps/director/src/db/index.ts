export * from './database.js';
export * from './profiles.js';
export * from './zones.js';
export * from './actors.js';
export * from './mail-settings.js';
export * from './verifications.js';
export * as tables from './schema.js';
export * from './users.js';
