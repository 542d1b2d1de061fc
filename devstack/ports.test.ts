import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { devConfig } from './config.js';
import { SetupError } from './errors.js';
import { probePort } from './free-port.js';
import { assertPortsFree } from './ports.js';

describe('assertPortsFree', () => {
  let blocker: net.Server | undefined;
  afterEach(() => blocker?.close());

  it('names the taken port, what it is for, and the env var that moves it', async () => {
    blocker = net.createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const config = devConfig({ OPENKCM_API_PORT: String(taken) });

    const error = await assertPortsFree(config.ports, ['api']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SetupError);
    expect((error as SetupError).line()).toBe(
      `openkcm: port ${taken} (OpenKCM API and console) is already in use. Fix: stop the process listening there (\`ss -ltnp 'sport = :${taken}'\` names it) or set OPENKCM_API_PORT to a free port`,
    );
  });

  it('passes when the ports are free', async () => {
    blocker = net.createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => blocker!.close(() => resolve()));
    blocker = undefined;
    expect(await probePort(port)).toBeUndefined();
    await expect(assertPortsFree(devConfig({ OPENKCM_API_PORT: String(port) }).ports, ['api'])).resolves.toBeUndefined();
  });
});
