import { describe, expect, it } from 'vitest';
import { chooseMechanism, mechanismWanted, saslClient, type AuthChoice } from './sasl.js';

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

  it('CRAM-MD5 answers the challenge with the user name and the HMAC-MD5 digest (RFC 2195 example)', () => {
    const client = saslClient('CRAM-MD5', { username: 'tim', password: 'tanstaaftanstaaf' });
    expect(client.initialResponse()).toBeUndefined();
    const challenge = encode('<1896.697170952@postoffice.reston.mci.net>');
    expect(decode(client.respond(challenge))).toBe('tim b913a602c7eda7a495b4e6e7334d3890');
  });

  it.each<[AuthChoice, string[], string | undefined]>([
    ['login', ['PLAIN', 'LOGIN'], 'LOGIN'],
    ['login', ['PLAIN'], undefined],
    ['cram-md5', ['plain', 'cram-md5'], 'CRAM-MD5'],
    ['cram-md5', ['PLAIN', 'LOGIN'], undefined],
    ['plain', ['PLAIN', 'LOGIN', 'NTLM'], 'PLAIN'],
    ['plain', ['login', 'cram-md5'], 'LOGIN'],
    ['plain', ['NTLM'], undefined],
    ['ntlm', ['PLAIN', 'NTLM'], 'NTLM'],
    ['ntlm', ['PLAIN', 'LOGIN'], undefined],
    ['plain', [], undefined],
  ])('auth type %s with %j offered chooses %s', (authType, offered, expected) => {
    expect(chooseMechanism(authType, offered)).toBe(expected);
  });

  it('names what each auth type needs the server to offer', () => {
    expect((['plain', 'login', 'cram-md5', 'ntlm'] as const).map(mechanismWanted)).toEqual([
      'PLAIN or LOGIN',
      'LOGIN',
      'CRAM-MD5',
      'NTLM',
    ]);
  });
});
