// A connectivity check from the screen's point of view: start it, then watch each actor's steps
// arrive until it is done. Stops following when the component goes away.
import type { DiagnosticsSnapshot } from '@email-profiles/core';
import { onScopeDispose, ref } from 'vue';
import { errorMessage } from '../../api/errors';
import { diagnosticsApi } from './api';

export function useConnectivityCheck() {
  const snapshot = ref<DiagnosticsSnapshot>();
  const failure = ref<string>();
  const starting = ref(false);
  let stop: (() => void) | undefined;

  /** Starts a check (of a stored profile, or of a form's draft) and follows it. */
  async function start(run: () => Promise<DiagnosticsSnapshot>) {
    stop?.();
    failure.value = undefined;
    starting.value = true;
    try {
      const first = await run();
      snapshot.value = first;
      if (!first.done) {
        stop = diagnosticsApi.follow(
          first.runId,
          (next) => {
            snapshot.value = next;
            if (next.done) stop?.();
          },
          (error) => {
            failure.value = errorMessage(error);
          },
        );
      }
    } catch (error) {
      failure.value = errorMessage(error);
    } finally {
      starting.value = false;
    }
  }

  onScopeDispose(() => stop?.());
  return { snapshot, failure, starting, start };
}
