import type { ManagedObject } from '../objects/model.js';
import { ConcurrentModificationError } from '../objects/repository.js';
import type { Op } from './context.js';
import { resolveStored } from './targets.js';

const ATTEMPTS = 8;

/**
 * Read, change, write with the revision read — retried when another worker or node wrote in
 * between, re-reading each time, so concurrent changes never overwrite each other and every
 * answer reflects the store (read-your-writes across processes; nothing mutable is cached).
 * `change` mutates the object (its attribute bag) and returns what the handler answers.
 */
export async function mutate<T>(op: Op, uid: string, what: string, change: (o: ManagedObject) => T): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await resolveStored(op, uid, what);
    const next: ManagedObject = { ...current, attributes: current.attributes.clone() };
    const result = change(next);
    try {
      await op.services.objects.replace(next);
      return result;
    } catch (e) {
      if (!(e instanceof ConcurrentModificationError) || attempt >= ATTEMPTS) throw e;
      // Another writer holds the next revision: give its write time to land, then re-read.
      await new Promise((r) => setTimeout(r, 2 * attempt + Math.random() * 5));
    }
  }
}
