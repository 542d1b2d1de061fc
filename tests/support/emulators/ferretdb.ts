import { cachedBinary } from './process.js';

/** The FerretDB (SQLite backend) that the dev-stack installer built from devstack/ferretdb. */
export function ferretDbBinary(): string {
  return cachedBinary('OPENKCM_FERRETDB_BIN', 'openkcm-ferretdb-', 'FerretDB');
}

/** Command-line arguments of devstack/ferretdb for a loopback port and a data directory. */
export function ferretDbArgs(port: number, dataDir: string): string[] {
  return ['--listen-addr', `127.0.0.1:${port}`, '--sqlite-dir', dataDir];
}
