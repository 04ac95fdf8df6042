// The exact commands an administrator runs on an actor's host: download the actor (one file that
// needs only Node 20) from the Director and check its SHA-256, give it a system user of its own,
// enroll with the one-time token, and run it under systemd (restarted whenever it stops).
import type { ActorDownload } from '@email-profiles/core';

/** A value for the command line, quoted for POSIX shells when it needs quoting. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_.:/@=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export const ACTOR_FILE = 'email-profiles-actor.mjs';
export const ACTOR_USER = 'email-profiles-actor';
export const ACTOR_PROGRAM = `/opt/email-profiles-actor/${ACTOR_FILE}`;
export const ACTOR_HOME = '/var/lib/email-profiles-actor';
export const ACTOR_CREDENTIAL = `${ACTOR_HOME}/actor.json`;
export const ACTOR_UNIT_PATH = '/etc/systemd/system/email-profiles-actor.service';

export type ActorInstallInput = {
  directorUrl: string;
  token: string;
  name: string;
  zone: string;
  download: ActorDownload;
};

export function actorInstall(input: ActorInstallInput) {
  const url = `${input.directorUrl}${input.download.path}`;
  const enrollArgs = [
    'enroll',
    `--director ${shellQuote(input.directorUrl)}`,
    `--token ${input.token}`,
    `--name ${shellQuote(input.name)}`,
    `--zone ${shellQuote(input.zone)}`,
    `--credential ${ACTOR_CREDENTIAL}`,
  ].join(' ');
  return {
    /** Fetches the actor and stops unless its SHA-256 is the one the Director computed. */
    download: [
      `curl -fsSL -o ${ACTOR_FILE} ${shellQuote(url)}`,
      `echo '${input.download.sha256}  ${ACTOR_FILE}' | sha256sum -c -`,
    ].join('\n'),
    /** A system user without a shell or password; the program root-owned, read-only to it. */
    install: [
      `sudo useradd --system --home-dir ${ACTOR_HOME} --create-home --shell /usr/sbin/nologin ${ACTOR_USER}`,
      `sudo install -D -o root -g root -m 0755 ${ACTOR_FILE} ${ACTOR_PROGRAM}`,
    ].join('\n'),
    /** The credential is written 0600, owned by the actor's user. */
    enroll: `sudo -u ${ACTOR_USER} node ${ACTOR_PROGRAM} ${enrollArgs}`,
    unit: [
      '[Unit]',
      'Description=Email Profiles actor',
      'Wants=network-online.target',
      'After=network-online.target',
      '',
      '[Service]',
      `User=${ACTOR_USER}`,
      `ExecStart=/usr/bin/env node ${ACTOR_PROGRAM} run --credential ${ACTOR_CREDENTIAL}`,
      'Restart=always',
      'RestartSec=5',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      `ReadWritePaths=${ACTOR_HOME}`,
      'PrivateTmp=yes',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
    start: `sudo systemctl daemon-reload && sudo systemctl enable --now ${ACTOR_USER}`,
  };
}
