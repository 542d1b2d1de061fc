/**
 * The OpenKCM worker process. The dev stack treats it as ready once Temporal lists a poller
 * whose identity starts with this process's `<pid>@` — the SDK's default identity; keep it.
 */
import { loadConfig } from '../lib/config/env.js';
import { startWorker } from './worker.js';

const config = loadConfig();
const { worker, done } = await startWorker(config);
console.log(JSON.stringify({ level: 'info', msg: 'worker polling', taskQueue: worker.options.taskQueue }));
// The SDK shuts the worker down gracefully on SIGINT/SIGTERM, then `done` resolves.
await done;
