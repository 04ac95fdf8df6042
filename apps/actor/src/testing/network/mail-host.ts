// The mail server host of the network test, run in its namespace: the private Dovecot + Postfix
// stack, which listens on loopback, reached on this host's address through plain TCP relays (as
// a host's own port forwarding would). Prints one JSON line when ready; SIGTERM stops it all.
import { connect, createServer, type Server } from 'node:net';
import { startMailStack } from '@email-profiles/mail-stack';

const address = process.argv[2] ?? '';
const stack = await startMailStack({ components: ['dovecot', 'postfix'] });
const { dovecot, postfix } = stack;
if (!dovecot || !postfix) throw new Error('the stack started without Dovecot and Postfix');

const relays: Server[] = [];
for (const port of [dovecot.ports.imap, postfix.ports.submission]) {
  const relay = createServer((client) => {
    const server = connect(port, '127.0.0.1');
    client.pipe(server).pipe(client);
    client.on('error', () => {
      server.destroy();
    });
    server.on('error', () => {
      client.destroy();
    });
  });
  await new Promise<void>((resolve) => relay.listen(port, address, resolve));
  relays.push(relay);
}

console.log(
  JSON.stringify({
    imap: dovecot.ports.imap,
    submission: postfix.ports.submission,
    fingerprint: stack.tls.fingerprintSha256,
    mailbox: dovecot.users[0],
    sender: postfix.users[0],
  }),
);

process.once('SIGTERM', () => {
  for (const relay of relays) relay.close();
  void stack.stop().then(() => process.exit(0));
});
