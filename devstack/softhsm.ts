import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { capture, run } from './run.js';

export interface SoftHsmToken {
  module: string;
  conf: string;
  tokenLabel: string;
  pin: string;
  soPin: string;
}

const tokenLabel = 'openkcm-dev';

function randomPin(length: number): string {
  return Array.from({ length }, () => randomInt(10)).join('');
}

/**
 * A SoftHSM2 token in `<dataDir>/softhsm/`: its own softhsm2.conf (pass it as SOFTHSM2_CONF)
 * and a token initialised once with random PINs, kept in pins.json (0600) beside it.
 */
export async function ensureSoftHsmToken(dataDir: string, module: string, util: string): Promise<SoftHsmToken> {
  const dir = path.join(dataDir, 'softhsm');
  const conf = path.join(dir, 'softhsm2.conf');
  const pinsFile = path.join(dir, 'pins.json');
  await mkdir(path.join(dir, 'tokens'), { recursive: true, mode: 0o700 });
  await writeFile(conf, `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf };

  if (existsSync(pinsFile)) {
    const pins = JSON.parse(await readFile(pinsFile, 'utf8')) as { pin: string; soPin: string };
    const slots = await capture(util, ['--show-slots'], env);
    if (slots && new RegExp(`Label:\\s+${tokenLabel}\\s`).test(slots)) {
      return { module, conf, tokenLabel, ...pins };
    }
  }
  const pins = { pin: randomPin(8), soPin: randomPin(12) };
  await run(util, ['--init-token', '--free', '--label', tokenLabel, '--pin', pins.pin, '--so-pin', pins.soPin], {
    env,
    redact: [pins.pin, pins.soPin],
    logFile: path.join(dataDir, 'logs', 'softhsm-init.log'),
    fix: `check that SoftHSM2 works: SOFTHSM2_CONF=${conf} ${util} --show-slots`,
  });
  await writeFile(pinsFile, `${JSON.stringify(pins)}\n`, { mode: 0o600 });
  return { module, conf, tokenLabel, ...pins };
}
