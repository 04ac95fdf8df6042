// Raw protocol sessions for this package's tests (IMAP, POP3, SMTP) on top of Wire.
import { createHmac } from 'node:crypto';
import { Wire, type TlsOptions } from '../wire.js';
import { ntlmSaslClient } from '@email-profiles/ntlm';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** An NTLM login as users type it: `DOMAIN\\user`, `user@domain` or `user` (sent as NTLMv2). */
export type NtlmLogin = { username: string; password: string };

export class Imap {
  private tag = 0;
  private constructor(
    readonly wire: Wire,
    readonly greeting: string,
  ) {}

  static async open(port: number, tls?: TlsOptions): Promise<Imap> {
    const wire = await Wire.connect({ port, tls });
    return new Imap(wire, await wire.readLine());
  }

  /** Runs a command; returns its untagged lines and the tagged status line (last). */
  async command(text: string): Promise<string[]> {
    const tag = `t${++this.tag}`;
    this.wire.send(`${tag} ${text}`);
    const lines = await this.wire.readTagged(tag);
    const last = lines.at(-1) ?? '';
    lines[lines.length - 1] = last.slice(tag.length + 1);
    return lines;
  }

  async capabilities(): Promise<string[]> {
    const lines = await this.command('CAPABILITY');
    const line = lines.find((l) => l.startsWith('* CAPABILITY ')) ?? '';
    return line.slice('* CAPABILITY '.length).split(' ');
  }

  async startTls(tls: TlsOptions): Promise<void> {
    const done = (await this.command('STARTTLS')).at(-1) ?? '';
    if (!done.startsWith('OK')) throw new Error(`STARTTLS: ${done}`);
    await this.wire.startTls(tls);
  }

  /** AUTHENTICATE PLAIN with SASL-IR; returns the status line. */
  async authPlain(user: string, password: string): Promise<string> {
    return (await this.command(`AUTHENTICATE PLAIN ${b64(`\0${user}\0${password}`)}`)).at(-1) ?? '';
  }

  /** AUTHENTICATE NTLM (empty initial response form); returns the status line. */
  async authNtlm(login: NtlmLogin): Promise<string> {
    const tag = `t${++this.tag}`;
    this.wire.send(`${tag} AUTHENTICATE NTLM`);
    const status = await continueNtlm(this.wire, login, (line) => line.startsWith(`${tag} `));
    return status.startsWith(`${tag} `) ? status.slice(tag.length + 1) : status;
  }

  close(): void {
    this.wire.close();
  }
}

/** The NTLM exchange after "AUTHENTICATE NTLM"/"AUTH NTLM" (IMAP and POP3 use "+ " prompts). */
async function continueNtlm(
  wire: Wire,
  login: NtlmLogin,
  isFinal: (line: string) => boolean,
): Promise<string> {
  let line = await wire.readLine();
  if (isFinal(line)) return line;
  const client = ntlmSaslClient(login, { forceNtlmV2: true });
  wire.send(client.initialResponse());
  line = await wire.readLine();
  if (isFinal(line) || !line.startsWith('+ ')) return line;
  wire.send(client.respond(line.slice(2)));
  return wire.readLine();
}

export class Pop3 {
  private constructor(
    readonly wire: Wire,
    readonly greeting: string,
  ) {}

  static async open(port: number, tls?: TlsOptions): Promise<Pop3> {
    const wire = await Wire.connect({ port, tls });
    return new Pop3(wire, await wire.readLine());
  }

  async command(text: string): Promise<string> {
    this.wire.send(text);
    return this.wire.readLine();
  }

  /** A multi-line response (CAPA, LIST, …): the status line, then the lines up to ".". */
  async multiline(text: string): Promise<string[]> {
    const status = await this.command(text);
    if (!status.startsWith('+OK')) return [status];
    const lines = await this.wire.readUntil((line) => line === '.');
    return [status, ...lines.slice(0, -1)];
  }

  async login(user: string, password: string): Promise<string> {
    const answer = await this.command(`USER ${user}`);
    if (!answer.startsWith('+OK')) return answer;
    return this.command(`PASS ${password}`);
  }

  /** Number of messages (STAT). */
  async count(): Promise<number> {
    const answer = await this.command('STAT');
    const match = /^\+OK (\d+) /.exec(answer);
    if (match?.[1] === undefined) throw new Error(`STAT: ${answer}`);
    return Number(match[1]);
  }

  async startTls(tls: TlsOptions): Promise<void> {
    const answer = await this.command('STLS');
    if (!answer.startsWith('+OK')) throw new Error(`STLS: ${answer}`);
    await this.wire.startTls(tls);
  }

  async authNtlm(login: NtlmLogin): Promise<string> {
    this.wire.send('AUTH NTLM');
    return continueNtlm(this.wire, login, (line) => /^[+-](OK|ERR)/.test(line));
  }

  close(): void {
    this.wire.close();
  }
}

export class Smtp {
  private constructor(
    readonly wire: Wire,
    readonly greeting: string,
  ) {}

  static async open(port: number, tls?: TlsOptions): Promise<Smtp> {
    const wire = await Wire.connect({ port, tls });
    const greeting = await wire.readReply();
    return new Smtp(wire, greeting.join('\n'));
  }

  async command(text: string): Promise<string[]> {
    this.wire.send(text);
    return this.wire.readReply();
  }

  /** EHLO; returns the extension keywords (e.g. "STARTTLS", "AUTH PLAIN LOGIN"). */
  async ehlo(): Promise<string[]> {
    const reply = await this.command('EHLO client.example.test');
    if (!reply.at(-1)?.startsWith('250')) throw new Error(`EHLO: ${reply.join(' | ')}`);
    return reply.slice(1).map((line) => line.slice(4));
  }

  async startTls(tls: TlsOptions): Promise<void> {
    const reply = await this.command('STARTTLS');
    if (!reply.at(-1)?.startsWith('220')) throw new Error(`STARTTLS: ${reply.join(' | ')}`);
    await this.wire.startTls(tls);
  }

  /** AUTH with one mechanism; returns the final reply line. */
  async auth(mechanism: 'PLAIN' | 'LOGIN' | 'CRAM-MD5', user: string, password: string) {
    const last = (reply: string[]) => reply.at(-1) ?? '';
    if (mechanism === 'PLAIN') {
      return last(await this.command(`AUTH PLAIN ${b64(`\0${user}\0${password}`)}`));
    }
    if (mechanism === 'LOGIN') {
      const first = last(await this.command('AUTH LOGIN'));
      if (!first.startsWith('334')) return first;
      const second = last(await this.command(b64(user)));
      if (!second.startsWith('334')) return second;
      return last(await this.command(b64(password)));
    }
    const prompt = last(await this.command('AUTH CRAM-MD5'));
    if (!prompt.startsWith('334 ')) return prompt;
    const challenge = Buffer.from(prompt.slice(4), 'base64').toString('latin1');
    const digest = createHmac('md5', password).update(challenge).digest('hex');
    return last(await this.command(b64(`${user} ${digest}`)));
  }

  async authNtlm(login: NtlmLogin): Promise<string> {
    const last = (reply: string[]) => reply.at(-1) ?? '';
    const client = ntlmSaslClient(login, { forceNtlmV2: true });
    const prompt = last(await this.command(`AUTH NTLM ${client.initialResponse()}`));
    if (!prompt.startsWith('334 ')) return prompt;
    return last(await this.command(client.respond(prompt.slice(4))));
  }

  /** MAIL/RCPT/DATA; returns the first reply that is not a success (after RSET), or the final 250. */
  async send(from: string, to: string, raw: string): Promise<string> {
    for (const [command, code] of [
      [`MAIL FROM:<${from}>`, '250'],
      [`RCPT TO:<${to}>`, '250'],
      ['DATA', '354'],
    ] as const) {
      const reply = (await this.command(command)).at(-1) ?? '';
      if (!reply.startsWith(code)) {
        await this.command('RSET');
        return reply;
      }
    }
    const body = raw.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    this.wire.write(`${body}${body.endsWith('\r\n') ? '' : '\r\n'}.\r\n`);
    return (await this.wire.readReply()).at(-1) ?? '';
  }

  close(): void {
    this.wire.close();
  }
}
