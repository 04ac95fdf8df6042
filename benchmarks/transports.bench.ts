// Transport benchmarks against the private mail stack (run as root):
//   pnpm --filter @email-profiles/benchmarks bench:transports
// 1. SMTP submit → code found, by IMAP (IDLE) and POP3 (polling), next to the same round trip
//    done by the simplest possible raw-socket client in the same run.
// 2. Find-code cost in a mailbox of 50,000 messages against one of 100.
// Prints a Markdown table; medians of several runs.
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { deliver, startMailStack, type MailStack } from '@email-profiles/mail-stack';
import { createImapTransport, type ImapConfig } from '@email-profiles/transport-imap';
import { createPop3Transport, type Pop3Config } from '@email-profiles/transport-pop3';
import { createSmtpTransport, type SmtpConfig } from '@email-profiles/transport-smtp';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const POLL_MS = 200;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** A raw line reader over a socket: the "simplest possible client". */
function rawClient(
  port: number,
): Promise<{ socket: Socket; line: () => Promise<string>; send: (text: string) => void }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = '';
    const waiting: ((line: string) => void)[] = [];
    const lines: string[] = [];
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n'); end !== -1; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const waiter = waiting.shift();
        if (waiter) waiter(line);
        else lines.push(line);
      }
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      resolve({
        socket,
        line: () => {
          const ready = lines.shift();
          return ready === undefined ? new Promise((r) => waiting.push(r)) : Promise.resolve(ready);
        },
        send: (text) => socket.write(`${text}\r\n`),
      });
    });
  });
}

async function until(
  read: () => Promise<string>,
  test: (line: string) => boolean,
): Promise<string> {
  for (;;) {
    const line = await read();
    if (test(line)) return line;
  }
}

async function rawSubmit(port: number, to: string, subject: string): Promise<void> {
  const smtp = await rawClient(port);
  await until(smtp.line, (l) => l.startsWith('220 '));
  for (const command of [
    'HELO bench',
    'MAIL FROM:<bench@example.test>',
    `RCPT TO:<${to}>`,
    'DATA',
  ]) {
    smtp.send(command);
    await until(smtp.line, (l) => /^\d{3} /.test(l));
  }
  smtp.send(`Subject: ${subject}\r\n\r\nbody\r\n.`);
  await until(smtp.line, (l) => /^\d{3} /.test(l));
  smtp.send('QUIT');
  smtp.socket.destroy();
}

async function rawImapIdleRoundTrip(
  stack: MailStack,
  port: number,
  user: { username: string; password: string; address: string },
): Promise<number> {
  const imap = await rawClient(port);
  await imap.line();
  imap.send(`a LOGIN "${user.username}" "${user.password}"`);
  await until(imap.line, (l) => l.startsWith('a '));
  imap.send('b SELECT INBOX');
  await until(imap.line, (l) => l.startsWith('b '));
  imap.send('c IDLE');
  await until(imap.line, (l) => l.startsWith('+'));
  const started = performance.now();
  await rawSubmit(stack.postfix!.ports.smtp, user.address, `(${randomUUID()})`);
  await until(imap.line, (l) => / EXISTS$/.test(l));
  const elapsed = performance.now() - started;
  imap.send('DONE');
  imap.socket.destroy();
  return elapsed;
}

async function rawPop3PollRoundTrip(
  stack: MailStack,
  port: number,
  user: { username: string; password: string; address: string },
): Promise<number> {
  const count = async () => {
    const pop = await rawClient(port);
    await pop.line();
    pop.send(`USER ${user.username}`);
    await pop.line();
    pop.send(`PASS ${user.password}`);
    await pop.line();
    pop.send('STAT');
    const stat = await pop.line();
    pop.send('QUIT');
    pop.socket.destroy();
    return Number(stat.split(' ')[1]);
  };
  const before = await count();
  const started = performance.now();
  await rawSubmit(stack.postfix!.ports.smtp, user.address, `(${randomUUID()})`);
  while ((await count()) === before) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  return performance.now() - started;
}

/** The server's own cost of a session: raw LOGIN + EXAMINE INBOX + LOGOUT. */
async function rawImapOpen(
  port: number,
  user: { username: string; password: string },
): Promise<number> {
  const started = performance.now();
  const imap = await rawClient(port);
  await imap.line();
  imap.send(`a LOGIN "${user.username}" "${user.password}"`);
  await until(imap.line, (l) => l.startsWith('a '));
  imap.send('b EXAMINE INBOX');
  await until(imap.line, (l) => l.startsWith('b '));
  imap.send('c LOGOUT');
  await until(imap.line, (l) => l.startsWith('c '));
  imap.socket.destroy();
  return performance.now() - started;
}

/** The server's own cost of a session: raw USER/PASS + STAT + QUIT. */
async function rawPop3Open(
  port: number,
  user: { username: string; password: string },
): Promise<number> {
  const started = performance.now();
  const pop = await rawClient(port);
  for (const command of [
    undefined,
    `USER ${user.username}`,
    `PASS ${user.password}`,
    'STAT',
    'QUIT',
  ]) {
    if (command) pop.send(command);
    await pop.line();
  }
  pop.socket.destroy();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const stack = await startMailStack({ components: ['dovecot', 'postfix'] });
  try {
    const [small, large] = stack.dovecot!.users;
    const smtp: SmtpConfig = {
      host: '127.0.0.1',
      port: stack.postfix!.ports.smtp,
      encryption: 'off',
      tlsTrust: { mode: 'system' },
    };
    const imap = (user = small!): ImapConfig => ({
      host: '127.0.0.1',
      port: stack.dovecot!.ports.imap,
      encryption: 'off',
      tlsTrust: { mode: 'system' },
      authType: 'plain',
      username: user.username,
      password: user.password,
    });
    const pop3 = (user = small!): Pop3Config => ({
      ...imap(user),
      port: stack.dovecot!.ports.pop3,
    });
    const window = () => ({
      since: new Date(Date.now() - 1000),
      deadline: new Date(Date.now() + 30_000),
    });

    const rows: string[][] = [];
    const roundTrip = async (
      label: string,
      raw: () => Promise<number>,
      ours: () => Promise<number>,
    ) => {
      const rawTimes: number[] = [];
      const ourTimes: number[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        rawTimes.push(await raw());
        ourTimes.push(await ours());
      }
      const r = median(rawTimes);
      const o = median(ourTimes);
      rows.push([label, `${r.toFixed(1)} ms`, `${o.toFixed(1)} ms`, (o / r).toFixed(2)]);
    };

    await roundTrip(
      'SMTP submit → found, IMAP IDLE',
      () => rawImapIdleRoundTrip(stack, stack.dovecot!.ports.imap, small!),
      async () => {
        const code = randomUUID();
        const finding = createImapTransport(imap()).findCode({ code, ...window() });
        await new Promise((resolve) => setTimeout(resolve, 150)); // let it reach IDLE, like a waiting actor
        const started = performance.now();
        const sent = await createSmtpTransport(smtp).send({
          from: 'director@example.test',
          to: small!.address,
          subject: `(${code})`,
          text: 'x',
        });
        if (!sent.ok) throw new Error(sent.failure.summary);
        const found = await finding;
        if (!found.found) throw new Error(found.failure.summary);
        return performance.now() - started;
      },
    );
    await roundTrip(
      `SMTP submit → found, POP3 polling every ${POLL_MS} ms`,
      () => rawPop3PollRoundTrip(stack, stack.dovecot!.ports.pop3, small!),
      async () => {
        const code = randomUUID();
        const started = performance.now();
        const sent = await createSmtpTransport(smtp).send({
          from: 'director@example.test',
          to: small!.address,
          subject: `(${code})`,
          text: 'x',
        });
        if (!sent.ok) throw new Error(sent.failure.summary);
        const found = await createPop3Transport(pop3(), { pollMs: POLL_MS }).findCode({
          code,
          ...window(),
        });
        if (!found.found) throw new Error(found.failure.summary);
        return performance.now() - started;
      },
    );

    // Mailbox size: old mail (a week ago) in bulk, then the coded message.
    const weekAgo = new Date(Date.now() - 7 * 24 * 3600_000);
    await stack.fillMailbox(small!.address, 100, { date: weekAgo, subjectPrefix: 'Old mail' });
    await stack.fillMailbox(large!.address, 50_000, { date: weekAgo, subjectPrefix: 'Old mail' });
    const sizeRows: string[][] = [];
    const floors = {
      'IMAP find code': (user: typeof small) => rawImapOpen(stack.dovecot!.ports.imap, user!),
      'POP3 find code': (user: typeof small) => rawPop3Open(stack.dovecot!.ports.pop3, user!),
    };
    for (const [label, find] of [
      [
        'IMAP find code',
        (user: typeof small, code: string) =>
          createImapTransport(imap(user)).findCode({ code, ...window() }),
      ],
      [
        'POP3 find code',
        (user: typeof small, code: string) =>
          createPop3Transport(pop3(user)).findCode({ code, ...window() }),
      ],
    ] as const) {
      const timesOf = async (user: typeof small) => {
        const ours: number[] = [];
        const floor: number[] = [];
        for (let i = 0; i < RUNS + 1; i += 1) {
          const code = randomUUID();
          await deliver(
            stack,
            user!.address,
            `Subject: (${code})\r\nDate: ${new Date().toUTCString()}\r\n\r\nx\r\n`,
          );
          // The server's own cost of opening this mailbox, in the same state ours will find it.
          const server = await floors[label](user);
          const started = performance.now();
          const found = await find(user, code);
          if (!found.found) throw new Error(found.failure.summary);
          const elapsed = performance.now() - started;
          if (i > 0) {
            // the first run warms the server's index
            ours.push(elapsed);
            floor.push(server);
          }
        }
        return { ours: median(ours), floor: median(floor) };
      };
      const hundred = await timesOf(small);
      const fifty = await timesOf(large);
      const client = (run: { ours: number; floor: number }) => Math.max(run.ours - run.floor, 0.1);
      sizeRows.push([
        label,
        `${hundred.ours.toFixed(1)} → ${fifty.ours.toFixed(1)} ms`,
        (fifty.ours / hundred.ours).toFixed(2),
        `${hundred.floor.toFixed(1)} → ${fifty.floor.toFixed(1)} ms`,
        `${client(hundred).toFixed(1)} → ${client(fifty).toFixed(1)} ms`,
        (client(fifty) / client(hundred)).toFixed(2),
      ]);
    }

    const table = (head: string[], body: string[][]) =>
      [
        `| ${head.join(' | ')} |`,
        `| ${head.map(() => '---').join(' | ')} |`,
        ...body.map((row) => `| ${row.join(' | ')} |`),
      ].join('\n');
    console.log(
      `Transport benchmarks, loopback, median of ${RUNS} runs (${new Date().toISOString().slice(0, 10)}, Node ${process.version})\n`,
    );
    console.log(table(['Round trip', 'raw client', 'our transports', 'ratio'], rows));
    console.log();
    console.log(
      table(
        [
          'Find code, 100 → 50,000 messages',
          'total',
          'ratio',
          'server floor: raw login + open',
          'our client (total − floor)',
          'ratio',
        ],
        sizeRows,
      ),
    );
  } finally {
    await stack.stop();
  }
}

await main();
