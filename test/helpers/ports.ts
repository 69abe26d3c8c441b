import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 now, for a server a test starts a moment later (an embedded PostgreSQL, a child
 * `leadloop start`, a standby). Chosen below Linux's ephemeral range (32768–60999): a port from that range (the
 * tests' old `52000 + pid` and `listen(0)`) can be taken in between as the source port of any outgoing connection,
 * and the suite opens thousands; CI once failed on "could not create any TCP/IP sockets" for port 54680.
 */
export async function freeServerPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
