import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralRangeStart, freePort } from './free-port.js';

describe('freePort', () => {
  it('hands out distinct ports below the kernel ephemeral range, each one bindable', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralRangeStart());
    }
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('never hands out a port the kernel gives to outgoing connections', async () => {
    // An outgoing connection's local port comes from the ephemeral range; a server told to use
    // it would fail with EADDRINUSE while that connection lives.
    const listener = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const socket = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const outgoing = socket.localPort!;
    expect(outgoing).toBeGreaterThanOrEqual(ephemeralRangeStart());
    expect(await freePort()).toBeLessThan(ephemeralRangeStart());
    socket.destroy();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });
});
