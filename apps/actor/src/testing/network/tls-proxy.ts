// The Director host's HTTPS front of the network test, run in its namespace: TLS with a
// certificate from the test's private CA on the host's address, port 443, in front of the
// Director on 127.0.0.1 (as a reverse proxy would be), with X-Forwarded-For and -Proto.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:https';

const [address = '', upstreamPort = '', certFile = '', keyFile = ''] = process.argv.slice(2);
const server = createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile) },
  (req, res) => {
    const upstream = request(
      {
        host: '127.0.0.1',
        port: Number(upstreamPort),
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          'x-forwarded-for': req.socket.remoteAddress ?? '',
          'x-forwarded-proto': 'https',
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  },
);
server.listen(443, address, () => {
  console.log(JSON.stringify({ listening: `${address}:443` }));
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
