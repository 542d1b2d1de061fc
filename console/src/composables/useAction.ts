import { ref, type Ref } from 'vue';
import { asApiError } from '../stores/errors';

export interface Action {
  /** True while an action runs: buttons disable themselves so it cannot be sent twice. */
  busy: Ref<boolean>;
  /** What went wrong with the last action, in the API's words; shown beside its button. */
  error: Ref<string | undefined>;
  /** What the last successful action did, announced in a live region. */
  outcome: Ref<string>;
  /**
   * Runs `action`, which returns the sentence that says what it did. On failure the error is
   * set instead; an action closes its dialog only once it succeeded, so the administrator
   * reads why it failed where they asked for it, and can try again.
   */
  run(action: () => Promise<string>): Promise<void>;
}

/** The busy / error / outcome state every confirmed console action (delete, revoke, rotate) shares. */
export function useAction(): Action {
  const busy = ref(false);
  const error = ref<string | undefined>();
  const outcome = ref('');

  async function run(action: () => Promise<string>): Promise<void> {
    busy.value = true;
    error.value = undefined;
    try {
      outcome.value = await action();
    } catch (e) {
      error.value = asApiError(e).message;
    } finally {
      busy.value = false;
    }
  }

  return { busy, error, outcome, run };
}
