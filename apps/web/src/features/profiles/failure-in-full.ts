// The profiles table lists a failure's summary; its troubleshooting dialogs load the rest (the
// hint, the server's words, the detail) and show the summary meanwhile.
import type { Failure, ListedFailure } from '@email-profiles/core';
import { computed, onMounted, ref } from 'vue';
import { profilesApi } from './api';

export function useFailureInFull(
  profileId: string,
  actorId: string | undefined,
  listed: () => ListedFailure | undefined,
) {
  const full = ref<Failure>();
  onMounted(async () => {
    if (actorId === undefined || listed() === undefined) return;
    try {
      full.value = (await profilesApi.failure(profileId, actorId)) ?? undefined;
    } catch {
      // Not loaded (a network error): the summary stays, which is still true.
    }
  });
  return computed(() => full.value ?? listed());
}
