import { describe, expect, it } from 'vitest';
import { splitNtlmUsername } from './username.js';

describe('splitNtlmUsername', () => {
  const valid: [string, { user: string; domain: string }][] = [
    ['CORP\\alice', { user: 'alice', domain: 'CORP' }],
    ['corp\\alice', { user: 'alice', domain: 'CORP' }],
    ['Corp.Example\\Alice', { user: 'Alice', domain: 'CORP.EXAMPLE' }],
    ['alice@corp.example', { user: 'alice@corp.example', domain: '' }],
    ['Alice@Corp.Example', { user: 'Alice@Corp.Example', domain: '' }],
    ['first.last@sub.corp.example', { user: 'first.last@sub.corp.example', domain: '' }],
    ['"odd@local"@corp.example', { user: '"odd@local"@corp.example', domain: '' }],
    ['alice', { user: 'alice', domain: '' }],
    ['  alice  ', { user: 'alice', domain: '' }],
    ['  CORP\\alice ', { user: 'alice', domain: 'CORP' }],
    [' CORP \\ alice ', { user: 'alice', domain: 'CORP' }],
    ['\talice@corp.example\n', { user: 'alice@corp.example', domain: '' }],
    ['\\alice', { user: 'alice', domain: '' }],
    ['CORP\\alice@corp.example', { user: 'alice@corp.example', domain: 'CORP' }],
    ['straße\\jörg', { user: 'jörg', domain: 'STRAßE' }],
  ];
  it.each(valid)('%j', (input, expected) => {
    expect(splitNtlmUsername(input)).toEqual(expected);
  });

  const invalid = [
    '',
    '   ',
    'CORP\\',
    'CORP\\  ',
    '\\',
    'A\\B\\c',
    '@corp.example',
    'alice@',
    ' alice@ ',
  ];
  it.each(invalid)('%j is refused', (input) => {
    expect(() => splitNtlmUsername(input)).toThrow(
      expect.objectContaining({ name: 'NtlmError', code: 'NTLM_BAD_USERNAME' }),
    );
  });
});
