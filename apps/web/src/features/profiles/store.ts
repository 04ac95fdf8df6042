// The Email Profiles table: every profile with its actors' statuses, kept live by the Director's
// status stream while a screen needs it.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ProfileListItem, VerificationTarget } from '@email-profiles/core';
import { profilesApi } from './api';

export const useProfilesStore = defineStore('profiles', () => {
  const rows = ref<ProfileListItem[]>([]);
  const loaded = ref(false);
  const live = ref(false);
  let stop: (() => void) | undefined;
  let listeners = 0;

  async function load() {
    rows.value = await profilesApi.list();
    loaded.value = true;
  }

  function upsert(row: ProfileListItem) {
    const index = rows.value.findIndex((r) => r.profile.id === row.profile.id);
    if (index === -1) rows.value = [...rows.value, row];
    else rows.value = rows.value.map((r, i) => (i === index ? row : r));
  }

  /** Starts the live updates (shared by every screen that asks); returns the stop for this one. */
  function follow(): () => void {
    listeners += 1;
    stop ??= profilesApi.onStatus({
      onStarted: () => {
        live.value = true;
        // Anything that changed before the stream started is in a fresh list.
        void load();
      },
      onData: upsert,
      onError: () => {
        live.value = false;
      },
    });
    return () => {
      listeners -= 1;
      if (listeners === 0) {
        stop?.();
        stop = undefined;
        live.value = false;
      }
    };
  }

  async function remove(id: string) {
    await profilesApi.remove(id);
    rows.value = rows.value.filter((row) => row.profile.id !== id);
  }

  async function verify(target: VerificationTarget) {
    return profilesApi.verify(target);
  }

  return { rows, loaded, live, load, follow, upsert, remove, verify };
});
