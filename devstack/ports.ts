import { portSettings, type Ports } from './config.js';
import { SetupError } from './errors.js';
import { probePort } from './free-port.js';

/**
 * Checks every port before anything starts, so a conflict costs one clear line instead of
 * a half-started stack.
 */
export async function assertPortsFree(ports: Ports, which: readonly (keyof Ports)[]): Promise<void> {
  for (const key of which) {
    const port = ports[key];
    const problem = await probePort(port);
    if (!problem) continue;
    const setting = portSettings[key];
    if (problem === 'EADDRINUSE') {
      throw new SetupError(
        `port ${port} (${setting.title}) is already in use`,
        `stop the process listening there (\`ss -ltnp 'sport = :${port}'\` names it) or set ${setting.env} to a free port`,
      );
    }
    throw new SetupError(`cannot listen on 127.0.0.1:${port} (${setting.title}): ${problem}`, `set ${setting.env} to a port you may bind`);
  }
}
