import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * A free TCP port on 127.0.0.1 for a server we are about to start (dev stack, tests, benchmarks).
 *
 * It comes from *below* the kernel's ephemeral range. A port the kernel hands out for `listen(0)`
 * is also what it hands out as the local port of outgoing connections: between our probe and
 * the server's bind, another process binding port 0 or any new connection (a MongoDB driver
 * connecting to FerretDB, Temporal's dev server starting) may take it, and the server then
 * fails with EADDRINUSE. The kernel never assigns a port below that range on its own.
 *
 * A port is handed out once per process, so two servers asked for in a row never get the same
 * one even though neither has bound it yet.
 */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralRangeStart();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port)) continue;
    if ((await probePort(port)) === undefined) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${low} and ${high}`);
}

const handedOut = new Set<number>();

/** The first port of the kernel's ephemeral range (Linux), or of IANA's dynamic range elsewhere. */
export function ephemeralRangeStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (start && start > 10_500) return start;
  } catch {
    // Not Linux.
  }
  return 49_152;
}

/** Resolves to the error code when 127.0.0.1:port cannot be bound, undefined when it can. */
export function probePort(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
