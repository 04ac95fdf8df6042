import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verificationCodeSchema } from '../validation/fields.js';
import {
  decodeEncodedWords,
  findVerificationCodes,
  generateVerificationCode,
  subjectHasCode,
  verificationSubject,
} from './code.js';

const CODE = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('generateVerificationCode', () => {
  it('builds a version 4 UUID from the injected random bytes', () => {
    const zeros = generateVerificationCode((n) => new Uint8Array(n));
    expect(zeros).toBe('00000000-0000-4000-8000-000000000000');
    const ones = generateVerificationCode((n) => new Uint8Array(n).fill(0xff));
    expect(ones).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });

  it('always produces a valid, lower-case version 4 UUID', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const code = generateVerificationCode(() => bytes);
        expect(verificationCodeSchema.safeParse(code).success).toBe(true);
      }),
    );
  });

  it('refuses a random source that returns the wrong number of bytes', () => {
    expect(() => generateVerificationCode(() => new Uint8Array(8))).toThrow(
      'returned 8 bytes, expected 16',
    );
  });
});

describe('subject format and parser', () => {
  it('writes the code in parentheses', () => {
    expect(verificationSubject(CODE)).toBe(`(${CODE})`);
  });

  it.each([
    [`(${CODE})`],
    [`RE: (${CODE})`],
    [`FW: Fwd: [EXTERNAL] (${CODE}) please ignore`],
    [`(${CODE.toUpperCase()})`],
    [`( ${CODE} )`],
    [`Verification (${CODE})\t`],
    [`=?UTF-8?B?${Buffer.from(`Réf : (${CODE})`).toString('base64')}?=`],
    [`=?iso-8859-1?Q?R=E9f=3A_=28${CODE}=29?=`],
    [`=?utf-8?q?RE=3A_=28${CODE.slice(0, 10)}?= =?utf-8?q?${CODE.slice(10)}=29?=`],
  ])('finds the code in %j', (subject) => {
    expect(findVerificationCodes(subject)).toEqual([CODE]);
    expect(subjectHasCode(subject, CODE)).toBe(true);
  });

  it.each([
    [CODE],
    [`[${CODE}]`],
    [`(${CODE.slice(0, -1)})`],
    [`(${CODE}0)`],
    [`(${CODE.replace(/-/g, '')})`],
    [''],
    ['=?utf-8?B?not base64!?='],
  ])('does not take %j for a code', (subject) => {
    expect(findVerificationCodes(subject)).toEqual([]);
  });

  it('finds several codes and compares case-insensitively', () => {
    const other = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    expect(findVerificationCodes(`(${CODE}) (${other.toUpperCase()})`)).toEqual([CODE, other]);
    expect(subjectHasCode(`(${CODE})`, CODE.toUpperCase())).toBe(true);
    expect(subjectHasCode(`(${CODE})`, other)).toBe(false);
  });

  it('leaves undecodable encoded words alone', () => {
    expect(decodeEncodedWords('=?x-unknown-charset?Q?abc?=')).toBe('=?x-unknown-charset?Q?abc?=');
    expect(decodeEncodedWords('=?utf-8?Q?bad=Z1?=')).toBe('=?utf-8?Q?bad=Z1?=');
    expect(decodeEncodedWords('=?utf-8?B?QUJDR?=')).toBe('=?utf-8?B?QUJDR?=');
    expect(decodeEncodedWords('=?utf-8?B?QUJDRA?=')).toBe('ABCD');
    expect(decodeEncodedWords('=?utf-8*en?Q?hello?=')).toBe('hello');
  });

  it('never throws on arbitrary subjects', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (subject) => {
        expect(Array.isArray(findVerificationCodes(subject))).toBe(true);
      }),
    );
  });

  it('finds any generated code in any subject that contains it', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.string(),
        fc.string(),
        (bytes, before, after) => {
          const code = generateVerificationCode(() => bytes);
          const subject = `${before.replace(/[()]/g, '')} ${verificationSubject(code)} ${after}`;
          expect(subjectHasCode(subject, code)).toBe(true);
        },
      ),
    );
  });
});
