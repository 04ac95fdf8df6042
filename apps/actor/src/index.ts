// @email-profiles/actor: the agent that does the mailbox work for the Director, as a library
// (the local actor `npm start` runs beside the Director) and as the email-profiles-actor command.
export { ActorAgent, runActor, type AgentOptions, type RunningActor } from './agent.js';
export { enrollActor, type EnrollRequest } from './enroll.js';
export {
  credentialExists,
  readCredential,
  writeCredential,
  type ActorCredential,
} from './credentials.js';
export type { TransportOptions } from './transports.js';
export { MAILBOX_CONCURRENCY } from './limits.js';
