// The exact commands an administrator runs on an actor's host to enroll it with a token.

/** A name for the command line, quoted for POSIX shells when it needs quoting. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_.:/@=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function enrollCommands(input: { directorUrl: string; token: string; name: string }) {
  const args = `enroll --director ${shellQuote(input.directorUrl)} --token ${input.token} --name ${shellQuote(input.name)}`;
  return {
    /** On a host with a checkout of this repository (Node 20 and npm). */
    enroll: `node apps/actor/bin/email-profiles-actor.mjs ${args}`,
    run: 'node apps/actor/bin/email-profiles-actor.mjs run',
  };
}
