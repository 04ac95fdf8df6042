// A connectivity check from the screen's point of view: start it, then watch each actor's steps
// arrive until it is done. Stops following when the component goes away.
import type { DiagnosticsSnapshot, VerificationTarget } from '@email-profiles/core';
import { onScopeDispose, ref } from 'vue';
import { errorMessage } from '../../api/errors';
import { diagnosticsApi } from './api';

export function useConnectivityCheck() {
  const snapshot = ref<DiagnosticsSnapshot>();
  const failure = ref<string>();
  const starting = ref(false);
  let stop: (() => void) | undefined;

  async function start(target: VerificationTarget) {
    stop?.();
    failure.value = undefined;
    starting.value = true;
    try {
      const first = await diagnosticsApi.run(target);
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
