import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactedKeys } from './index.js';

describe('logging', () => {
  it('knows the secret fields from the schemas', () => {
    expect(redactedKeys).toEqual(
      expect.arrayContaining(['password', 'clientSecret', 'refreshToken', 'authorization']),
    );
  });

  it('never writes a secret, however deep it sits', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger('info', sink);
    log.info(
      {
        profile: {
          serverType: 'imap',
          password: 'hunter2',
          outgoing: { auth: { password: 'hunter3' } },
        },
        clientSecret: 'abc~secret',
      },
      'saved',
    );
    log.info({ request: { headers: { authorization: 'Bearer eyJsecret' } } }, 'request');
    const text = lines.join('');
    expect(text).toContain('"serverType":"imap"');
    for (const secret of ['hunter2', 'hunter3', 'abc~secret', 'eyJsecret'])
      expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});
