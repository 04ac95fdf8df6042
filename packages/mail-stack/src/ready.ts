// Waiting until a server's port accepts connections and greets the way its protocol should.
import { Wire, type TlsOptions } from './wire.js';

export type Greeting = 'imap' | 'pop3' | 'smtp';

const EXPECTED: Record<Greeting, RegExp> = {
  imap: /^\* OK/,
  pop3: /^\+OK/,
  smtp: /^220[ -]/,
};

export type PortCheck = { name: string; port: number; greeting: Greeting; tls?: TlsOptions };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects once and reads the greeting; resolves with a problem description, or undefined. */
export async function greetingProblem(check: PortCheck): Promise<string | undefined> {
  let wire: Wire | undefined;
  try {
    wire = await Wire.connect({ port: check.port, tls: check.tls, timeoutMs: 2_000 });
    const line = await wire.readLine();
    if (!EXPECTED[check.greeting].test(line)) return `unexpected greeting ${JSON.stringify(line)}`;
    wire.send(check.greeting === 'imap' ? 'z LOGOUT' : 'QUIT');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    wire?.close();
  }
}

/** Polls every port until it greets, or throws after `deadline` (a Date.now() value). */
export async function waitForGreetings(checks: readonly PortCheck[], deadline: number) {
  await Promise.all(
    checks.map(async (check) => {
      for (;;) {
        const problem = await greetingProblem(check);
        if (problem === undefined) return;
        if (Date.now() >= deadline) {
          throw new Error(`${check.name} (127.0.0.1:${check.port}) did not get ready: ${problem}`);
        }
        await sleep(100);
      }
    }),
  );
}
