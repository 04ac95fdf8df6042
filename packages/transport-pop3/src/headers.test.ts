import { describe, expect, it } from 'vitest';
import { arrivalDate, parseHeaders } from './headers.js';

describe('POP3 header parsing', () => {
  const lines = [
    'Received: from mx.example.test by mail.example.test (Postfix)',
    '\twith ESMTPS id 4F2; Thu, 26 Nov 2026 10:00:05 +0000 (UTC)',
    'Received: from elsewhere; Thu, 26 Nov 2026 09:59:00 +0000',
    'Subject: =?utf-8?Q?RE=3A_=287c9e6679-7425-40de-944b-e07fc1f90ae7=29?=',
    'Date: Thu, 26 Nov 2026 09:58:00 +0000',
    'X-Broken-Line-Without-Colon',
    '',
    'Body: never read',
  ];

  it('unfolds fields and stops at the end of the header block', () => {
    const fields = parseHeaders(lines);
    expect(fields.get('received')?.[0]).toBe(
      'from mx.example.test by mail.example.test (Postfix) with ESMTPS id 4F2; Thu, 26 Nov 2026 10:00:05 +0000 (UTC)',
    );
    expect(fields.get('received')).toHaveLength(2);
    expect(fields.has('body')).toBe(false);
  });

  it('dates arrival by the newest Received field, else by Date', () => {
    expect(arrivalDate(parseHeaders(lines))?.toISOString()).toBe('2026-11-26T10:00:05.000Z');
    expect(
      arrivalDate(parseHeaders(['Date: Thu, 26 Nov 2026 09:58:00 +0000']))?.toISOString(),
    ).toBe('2026-11-26T09:58:00.000Z');
    expect(
      arrivalDate(parseHeaders(['Received: garbage; not a date', 'Date: nonsense'])),
    ).toBeUndefined();
    expect(arrivalDate(parseHeaders([]))).toBeUndefined();
  });
});
