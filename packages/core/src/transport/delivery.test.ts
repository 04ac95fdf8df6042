import { describe, expect, it } from 'vitest';
import { parseAuthenticationResults } from './delivery.js';

describe('parseAuthenticationResults', () => {
  it('reads the verdicts of RFC 8601 results, the top header winning per method', () => {
    expect(
      parseAuthenticationResults([
        'mx.google.com; dkim=pass header.i=@example.com header.s=s1; spf=softfail (google.com: domain of transitioning x@example.com) smtp.mailfrom=x@example.com',
        'other.example; spf=pass; dmarc=quarantine',
      ]),
    ).toEqual({ dkim: 'pass', spf: 'softfail', dmarc: 'quarantine' });
    expect(parseAuthenticationResults(['mx.example; DMARC=Fail (p=REJECT) header.from=x'])).toEqual(
      {
        dmarc: 'fail',
      },
    );
  });

  it('takes nothing from comments, other methods or hostile text', () => {
    expect(
      parseAuthenticationResults(['mx.example; none (spf=pass dkim=pass dmarc=pass)']),
    ).toEqual({});
    expect(parseAuthenticationResults(['mx.example; arc=pass; xspf=pass; dkim-adsp=pass'])).toEqual(
      {},
    );
    expect(parseAuthenticationResults([`mx; spf=${'a'.repeat(100)}`])).toEqual({});
    // Bounded: at most 20 headers of at most 8 KiB each are read.
    const flood = [...Array<string>(20).fill('x'.repeat(1_000_000)), 'mx; spf=pass'];
    expect(parseAuthenticationResults(flood)).toEqual({});
    expect(parseAuthenticationResults([`${'x'.repeat(9000)}; spf=pass`])).toEqual({});
  });
});
