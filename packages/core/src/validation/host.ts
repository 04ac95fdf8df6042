// Parsing of the server addresses users type into forms. Pure string work, no DNS.
import { lineValueProblem } from './text.js';

export type HostKind = 'ipv4' | 'ipv6' | 'hostname';

export type HostCheck = { ok: true; host: string; kind: HostKind } | { ok: false; message: string };

const IPV4_SHAPE = /^\d+(\.\d+){3}$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function isIPv4(value: string): boolean {
  if (!IPV4_SHAPE.test(value)) return false;
  return value
    .split('.')
    .every((part) => (part === '0' || !part.startsWith('0')) && Number(part) <= 255);
}

export function isIPv6(value: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(value)) return false;
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  const all = groups.flat();
  const last = all[all.length - 1];
  let count = all.length;
  if (last !== undefined && last.includes('.')) {
    // An embedded IPv4 address (e.g. ::ffff:192.0.2.1) takes two groups and must come last.
    if (!isIPv4(last)) return false;
    count += 1;
    all.pop();
  }
  if (!all.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/**
 * Checks a server address as typed by a user: an IPv4 or IPv6 address or a DNS host name, without
 * a scheme, port or path. Returns the trimmed address (IPv6 without brackets) or a message that
 * says what to change.
 */
export function checkHost(input: string): HostCheck {
  const value = input.trim();
  if (value === '') return { ok: false, message: 'Enter the server address' };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (scheme) {
    return {
      ok: false,
      message: `Remove "${scheme[0]}": enter only the server name or IP address`,
    };
  }
  const unsafe = lineValueProblem(value, 'server address');
  if (unsafe) return { ok: false, message: unsafe };
  if (/\s/.test(value)) return { ok: false, message: 'The server address cannot contain spaces' };
  if (value.includes('@')) {
    return { ok: false, message: 'Enter the server name, not an email address' };
  }

  const bracketed = /^\[([^\]]*)\](.*)$/.exec(value);
  if (bracketed) {
    const [, inner = '', rest = ''] = bracketed;
    if (rest !== '') return portOrPath(rest);
    return isIPv6(inner)
      ? { ok: true, host: inner.toLowerCase(), kind: 'ipv6' }
      : { ok: false, message: `"${inner}" is not a valid IPv6 address` };
  }
  if (value.includes(':') && (value.match(/:/g) ?? []).length > 1) {
    return isIPv6(value)
      ? { ok: true, host: value.toLowerCase(), kind: 'ipv6' }
      : { ok: false, message: `"${value}" is not a valid IPv6 address` };
  }
  const extra = /[:/?#]/.exec(value);
  if (extra) return portOrPath(value.slice(extra.index));

  if (IPV4_SHAPE.test(value)) {
    return isIPv4(value)
      ? { ok: true, host: value, kind: 'ipv4' }
      : {
          ok: false,
          message: `"${value}" is not a valid IPv4 address (four numbers 0-255, no leading zeros)`,
        };
  }
  return checkHostname(value);
}

function portOrPath(rest: string): HostCheck {
  const port = /^:(\d*)$/.exec(rest);
  if (port) {
    return {
      ok: false,
      message: `Remove ":${port[1] ?? ''}" and enter the port in the Port field`,
    };
  }
  return { ok: false, message: `Remove "${rest}": enter only the server name or IP address` };
}

function checkHostname(value: string): HostCheck {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length > 253) return { ok: false, message: 'A host name can be at most 253 characters' };
  const labels = name.split('.');
  for (const label of labels) {
    if (label === '')
      return { ok: false, message: 'The host name has an empty part (two dots in a row?)' };
    if (label.length > 63) {
      return { ok: false, message: 'Each part of a host name can be at most 63 characters' };
    }
    if (!LABEL.test(label)) {
      return {
        ok: false,
        message: `"${label}" is not a valid host name part: use letters, digits and hyphens, not starting or ending with a hyphen`,
      };
    }
  }
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) {
    return { ok: false, message: `"${value}" is neither a valid IP address nor a host name` };
  }
  return { ok: true, host: name.toLowerCase(), kind: 'hostname' };
}
