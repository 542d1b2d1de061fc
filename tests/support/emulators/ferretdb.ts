import { cachedBinary } from './process.js';

/** The FerretDB (SQLite backend) that the dev-stack installer built from devstack/ferretdb. */
export function ferretDbBinary(): string {
  return cachedBinary('OPENKCM_FERRETDB_BIN', 'openkcm-ferretdb-', 'FerretDB');
}
