import { MongoClient } from 'mongodb';
import path from 'node:path';
import type { StackConfig } from '../config.js';
import type { ServerSpec } from '../supervisor.js';

export function mongodbUri(config: StackConfig): string {
  return `mongodb://127.0.0.1:${config.ports.mongodb}/`;
}

async function pings(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1_000, connectTimeoutMS: 1_000 });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } finally {
    await client.close();
  }
}

/** FerretDB v1 speaking the MongoDB wire protocol, one SQLite file per database. */
export function ferretDbServer(config: StackConfig, binary: string): ServerSpec {
  return {
    name: 'ferretdb',
    title: 'FerretDB',
    command: binary,
    args: [
      '--listen-addr', `127.0.0.1:${config.ports.mongodb}`,
      '--sqlite-dir', path.join(config.dataDir, 'ferretdb'),
      '--log-level', config.logLevel === 'debug' ? 'info' : 'warn',
    ],
    readyTimeoutMs: 30_000,
    ready: () => pings(mongodbUri(config)),
  };
}
