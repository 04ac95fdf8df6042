// Browser-facing checks of where a request comes from.
//
// Host: a DNS-rebinding page (evil.example re-pointed at 127.0.0.1) reaches the Director with its
// own host name in `Host`, and is same-origin with itself, so the Origin check alone would let it
// run first-run setup on a fresh Director. Only IP literals, `localhost`, the listen host and the
// public URL's host are accepted. The actor API is exempt: it is authenticated by tokens a page
// cannot know (nothing ambient like a cookie), and actors on other hosts may well reach the
// Director by a host name nobody configured.
//
// Origin / Sec-Fetch-Site: a present `Origin` must be the Director's own (its public URL, or the
// request's own Host over the listen scheme); a present `Sec-Fetch-Site` must be `same-origin` or
// `none`. Actors (Node, no such headers, bearer token) are not affected.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Config } from '../config.js';

/** The host name of a Host header value: without port or IPv6 brackets, lower case. */
export function hostName(host: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
  if (bracketed) return (bracketed[1] ?? '').toLowerCase();
  return host.replace(/:\d*$/, '').replace(/\.$/, '').toLowerCase();
}

/** Whether the Director answers to this Host header (absent: HTTP/1.0, no browser sends that). */
export function hostAllowed(
  host: string | undefined,
  config: Pick<Config, 'host' | 'publicUrl'>,
): boolean {
  if (host === undefined) return true;
  const name = hostName(host);
  if (name === '') return false;
  if (isIP(name) !== 0 || name === 'localhost') return true;
  if (config.publicUrl !== undefined && new URL(config.publicUrl).hostname.toLowerCase() === name)
    return true;
  return hostName(config.host) === name;
}

export function misdirectedMessage(host: string | undefined): string {
  const name = hostName(host ?? '').slice(0, 100);
  return (
    `This Director does not answer to the host name "${name}" (a guard against DNS rebinding). ` +
    `If this is how you reach it, set EMAIL_PROFILES_PUBLIC_URL to its URL (e.g. https://${name}) and restart it.`
  );
}

/** Why a browser request from elsewhere is refused, or undefined when it is the Director's own. */
export function crossOriginRefusal(
  req: IncomingMessage,
  config: Pick<Config, 'publicUrl'>,
  scheme: 'http' | 'https',
): string | undefined {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return `Requests from other sites are refused (Sec-Fetch-Site: ${site.slice(0, 20)})`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const own = [
    ...(config.publicUrl !== undefined ? [new URL(config.publicUrl).origin] : []),
    ...(req.headers.host !== undefined ? [`${scheme}://${req.headers.host.toLowerCase()}`] : []),
  ];
  return own.includes(origin.toLowerCase())
    ? undefined
    : `Requests from other origins are refused (Origin: ${origin.slice(0, 100)})`;
}
