import type { Ports } from '../config.js';
import type { StackInfo } from '../stack-info.js';
import type { ServerSpec } from '../supervisor.js';

/** A server that brings its own ports and its stack.json entry. */
export interface StackServer<K extends 'pykmip' | 'lowkeyVault'> {
  spec: ServerSpec;
  ports: (keyof Ports)[];
  info: () => NonNullable<StackInfo[K]>;
}
