// First of all (before any schema is built): the Director's CSP forbids eval, so zod must not
// probe `new Function` to compile parsers. zod decides when each object schema is created.
import { config } from 'zod/v4/core';

config({ jitless: true });
