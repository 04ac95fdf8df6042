import { describe, expect, it } from 'vitest';
import { chooseMechanism, saslClient } from './sasl.js';

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('SASL clients', () => {
  it('PLAIN sends authzid-less credentials as its initial response, and again on an empty challenge', () => {
    const client = saslClient('PLAIN', { username: 'EXAMPLE\\actor1', password: 'pä ss' });
    expect(decode(client.initialResponse() ?? '')).toBe('\u0000EXAMPLE\\actor1\u0000pä ss');
    expect(client.respond('')).toBe(client.initialResponse());
  });

  it('LOGIN answers the prompts it is given, in any order', () => {
    const client = saslClient('LOGIN', { username: 'actor1@example.test', password: 'secret' });
    expect(client.initialResponse()).toBeUndefined();
    expect(decode(client.respond(encode('Password:')))).toBe('secret');
    expect(decode(client.respond(encode('Username:')))).toBe('actor1@example.test');
    const unprompted = saslClient('LOGIN', { username: 'u', password: 'p' });
    expect([decode(unprompted.respond('')), decode(unprompted.respond(''))]).toEqual(['u', 'p']);
  });

  it('NTLM starts with a negotiate message', () => {
    const client = saslClient('NTLM', { username: 'EXAMPLE\\actor1', password: 'secret' });
    const type1 = Buffer.from(client.initialResponse() ?? '', 'base64');
    expect(type1.subarray(0, 8).toString('latin1')).toBe('NTLMSSP\u0000');
    expect(type1.readUInt32LE(8)).toBe(1);
  });

  it.each<['plain' | 'ntlm', string[], string | undefined]>([
    ['plain', ['PLAIN', 'LOGIN', 'NTLM'], 'PLAIN'],
    ['plain', ['login', 'cram-md5'], 'LOGIN'],
    ['plain', ['NTLM'], undefined],
    ['ntlm', ['PLAIN', 'NTLM'], 'NTLM'],
    ['ntlm', ['PLAIN', 'LOGIN'], undefined],
    ['plain', [], undefined],
  ])('auth type %s with %j offered chooses %s', (authType, offered, expected) => {
    expect(chooseMechanism(authType, offered)).toBe(expected);
  });
});
