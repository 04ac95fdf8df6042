// @email-profiles/transport-net: what the SMTP, IMAP and POP3 transports share below the protocol.
export * from './errors.js';
export * from './origin.js';
export * from './deadline.js';
export * from './line-reader.js';
export * from './connect.js';
export * from './connection.js';
export * from './headers.js';
export * from './probe.js';
export * from './sasl.js';
export * from './http.js';
export * from './poll.js';
