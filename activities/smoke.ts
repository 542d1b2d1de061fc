/**
 * The dev stack's smoke activity: proves a workflow ran through a real worker process
 * (the answer names the worker's pid, which is not the caller's).
 */
export async function smokeEcho(name: string): Promise<string> {
  return `hello ${name} from worker pid ${process.pid}`;
}
