// startMailStack(): a private Dovecot + Postfix + Cyrus stack on 127.0.0.1, and its stop().
import { rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { startCyrus, type CyrusPorts } from './cyrus.js';
import { startDovecot, type DovecotPorts } from './dovecot.js';
import { assertInstalled } from './install.js';
import { deliver, fillMailbox } from './mail.js';
import { startPostfix, type PostfixPorts } from './postfix.js';
import { killNow, stopProcesses, type ProcessRecord } from './processes.js';
import { claimSlot, ensurePostfixSlotsListed, recordPids, runningFromPidFiles } from './slots.js';
import { createTls } from './tls.js';
import type { Component, MailStack, MailStackInfo, StartOptions } from './types.js';
import { accepts } from './wire.js';

/** How long a start may take before it fails with the servers' log tails. */
export const START_TIMEOUT_MS = 20_000;

const ALL: readonly Component[] = ['dovecot', 'postfix', 'cyrus'];

type Running = { dir: string; records: ProcessRecord[] };

// Safety net: stacks whose stop() was never called are killed when the process exits.
const running = new Set<Running>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const stack of running) {
      killNow(masters(stack));
      try {
        rmSync(stack.dir, { recursive: true, force: true });
      } catch {
        // A later start reclaims the slot.
      }
    }
  });
}

/** Fixed offsets inside the slot's block of ports. */
function layout(block: readonly number[]) {
  const port = (offset: number) => {
    const value = block[offset];
    if (value === undefined) throw new Error(`port block too small for offset ${offset}`);
    return value;
  };
  const dovecot: DovecotPorts = {
    imap: port(0),
    imaps: port(1),
    pop3: port(2),
    pop3s: port(3),
    lmtp: port(4),
    imapNoIdle: port(5),
  };
  const postfix: PostfixPorts = { smtp: port(6), submission: port(7), smtps: port(8) };
  const cyrus: CyrusPorts = {
    imap: port(9),
    imaps: port(10),
    pop3: port(11),
    pop3s: port(12),
    lmtp: port(13),
  };
  return { dovecot, postfix, cyrus };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function portsStillOpen(ports: readonly number[], waitMs: number): Promise<number[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const open = (
      await Promise.all(ports.map(async (port) => ((await accepts(port)) ? port : undefined)))
    ).filter((port) => port !== undefined);
    if (open.length === 0 || Date.now() >= deadline) return open;
    await sleep(50);
  }
}

/** The recorded masters plus any a failed start had not recorded yet (from the pid files). */
function masters(stack: Running): ProcessRecord[] {
  const records = [...stack.records];
  for (const record of runningFromPidFiles(stack.dir)) {
    if (!records.some((known) => known.pid === record.pid)) records.push(record);
  }
  return records;
}

async function shutdown(stack: Running, ports: readonly number[]): Promise<void> {
  const survivors = await stopProcesses(masters(stack));
  const open = await portsStillOpen(ports, 3_000);
  if (survivors.length > 0 || open.length > 0) {
    const alive = survivors.map((record) => `${record.name} (pid ${record.pid})`);
    throw new Error(
      `mail stack in ${stack.dir} did not stop cleanly: ` +
        [
          alive.length > 0 ? `still running: ${alive.join(', ')}` : '',
          open.length > 0 ? `ports still accepting connections: ${open.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
    );
  }
  running.delete(stack);
  // For debugging a failing test: keep the logs (the slot is reclaimed once this process exits).
  if (process.env['EMAIL_PROFILES_MAIL_STACK_KEEP'] === '1') return;
  await rm(stack.dir, { recursive: true, force: true });
}

/**
 * Starts the requested servers (all three by default) on 127.0.0.1 and resolves once every port
 * answers with its greeting. Postfix delivers into Dovecot, so asking for Postfix starts Dovecot
 * too. Needs root and the packages of scripts/install-mail-stack.sh.
 */
export async function startMailStack(options: StartOptions = {}): Promise<MailStack> {
  const wanted = new Set<Component>(options.components ?? ALL);
  if (wanted.has('postfix')) wanted.add('dovecot');
  const components = ALL.filter((component) => wanted.has(component));
  assertInstalled(components);
  if (wanted.has('postfix')) await ensurePostfixSlotsListed();

  const slot = await claimSlot();
  const { dir } = slot;
  const deadline = Date.now() + START_TIMEOUT_MS;
  const stack: Running = { dir, records: [] };
  running.add(stack);
  installExitHook();
  const onProcess = (record: ProcessRecord) => {
    stack.records.push(record);
    recordPids(dir, stack.records);
  };
  const ports = layout(slot.ports);
  const usedPorts = components.flatMap((component) => Object.values(ports[component]));

  try {
    const tlsDir = path.join(dir, 'tls');
    await mkdir(tlsDir, { mode: 0o700 });
    const tls = await createTls(tlsDir);
    const [dovecot, postfix, cyrus] = await Promise.allSettled([
      wanted.has('dovecot')
        ? startDovecot({
            dir,
            slot: slot.index,
            ports: ports.dovecot,
            caPem: tls.caPem,
            deadline,
            onProcess,
          })
        : undefined,
      wanted.has('postfix')
        ? startPostfix({
            dir,
            ports: ports.postfix,
            lmtpPort: ports.dovecot.lmtp,
            caPem: tls.caPem,
            deadline,
            onProcess,
          })
        : undefined,
      wanted.has('cyrus')
        ? startCyrus({ dir, ports: ports.cyrus, tls, deadline, onProcess })
        : undefined,
    ]);
    const failures = [dovecot, postfix, cyrus]
      .filter((result) => result.status === 'rejected')
      .map((result) => (result.reason as Error).message);
    if (failures.length > 0) throw new Error(`mail stack did not start:\n${failures.join('\n\n')}`);
    const value = <T>(result: PromiseSettledResult<T>) =>
      result.status === 'fulfilled' ? result.value : undefined;
    const dovecotUsers = value(dovecot)?.users;
    const postfixUsers = value(postfix)?.users;
    const cyrusUsers = value(cyrus)?.users;

    const info: MailStackInfo = {
      host: '127.0.0.1',
      dir,
      tls,
      ...(dovecotUsers && { dovecot: { ports: ports.dovecot, users: dovecotUsers } }),
      ...(postfixUsers && { postfix: { ports: ports.postfix, users: postfixUsers } }),
      ...(cyrusUsers && { cyrus: { ports: ports.cyrus, users: cyrusUsers } }),
    };
    let stopping: Promise<void> | undefined;
    return {
      ...info,
      deliver: (toAddress, rawMessage) => deliver(info, toAddress, rawMessage),
      fillMailbox: (address, count, fillOptions) => fillMailbox(info, address, count, fillOptions),
      stop: () => (stopping ??= shutdown(stack, usedPorts)),
    };
  } catch (error) {
    await shutdown(stack, usedPorts).catch(() => undefined);
    throw error;
  }
}

/** The serializable part of a stack (what the vitest global setup provides). */
export function mailStackInfo(stack: MailStackInfo): MailStackInfo {
  const { host, dir, tls, dovecot, postfix, cyrus } = stack;
  return JSON.parse(JSON.stringify({ host, dir, tls, dovecot, postfix, cyrus })) as MailStackInfo;
}
