// Just enough RFC 5322 header parsing for verification: unfolded fields, the subject, and when
// the message arrived. Bodies are never read.

/** Header fields of a header block (lines as TOP returns them), unfolded, names lower-cased. */
export function parseHeaders(lines: string[]): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let current: { name: string; value: string } | undefined;
  const flush = () => {
    if (!current) return;
    const values = fields.get(current.name) ?? [];
    values.push(current.value.trim());
    fields.set(current.name, values);
  };
  for (const line of lines) {
    if (line === '') break; // end of the header block
    if (/^[ \t]/.test(line) && current) {
      current.value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    current =
      colon > 0
        ? { name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1) }
        : undefined;
  }
  flush();
  return fields;
}

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value.replace(/\s*\([^)]*\)\s*$/, ''));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * When the message reached the mailbox: the date of the newest Received field (written by the
 * receiving server), else the Date field (written by the sender, whose clock may be off).
 */
export function arrivalDate(fields: Map<string, string[]>): Date | undefined {
  const received = fields.get('received')?.[0];
  const stamp = received?.slice(received.lastIndexOf(';') + 1);
  return parseDate(stamp) ?? parseDate(fields.get('date')?.[0]);
}
