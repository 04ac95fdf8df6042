// A minimal LMTP client (RFC 2033): one connection, any number of messages, one recipient each.
import { Wire } from './wire.js';

export type Envelope = { from: string; to: string; raw: string };

/** CRLF line ends, a final CRLF, and dot-stuffing (RFC 5321 4.5.2). */
export function toDataBlock(raw: string): string {
  let text = raw.replace(/\r?\n/g, '\r\n');
  if (!text.endsWith('\r\n')) text += '\r\n';
  return text.replace(/^\./gm, '..');
}

async function expect(wire: Wire, code: string, what: string): Promise<void> {
  const reply = await wire.readReply();
  const last = reply.at(-1) ?? '';
  if (!last.startsWith(code)) {
    throw new Error(`LMTP ${what}: expected ${code}, got ${JSON.stringify(reply.join('\n'))}`);
  }
}

/** Delivers the messages over LMTP on 127.0.0.1:port; throws on the first rejection. */
export async function lmtpDeliver(
  port: number,
  messages: Iterable<Envelope> | AsyncIterable<Envelope>,
): Promise<void> {
  const wire = await Wire.connect({ port, timeoutMs: 15_000 });
  try {
    await expect(wire, '220', 'greeting');
    wire.send('LHLO mail-stack.localhost');
    await expect(wire, '250', 'LHLO');
    for await (const message of messages) {
      wire.send(`MAIL FROM:<${message.from}>`);
      await expect(wire, '250', 'MAIL FROM');
      wire.send(`RCPT TO:<${message.to}>`);
      await expect(wire, '250', `RCPT TO:<${message.to}>`);
      wire.send('DATA');
      await expect(wire, '354', 'DATA');
      wire.write(`${toDataBlock(message.raw)}.\r\n`);
      await expect(wire, '250', `delivery to ${message.to}`);
    }
    wire.send('QUIT');
    await wire.readReply().catch(() => undefined);
  } finally {
    wire.close();
  }
}
