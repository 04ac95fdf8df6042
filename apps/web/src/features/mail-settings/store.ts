import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  DirectorMailSettingsUpdateInput,
  PublicDirectorMailSettings,
} from '@email-profiles/core';
import { mailSettingsApi } from './api';

export const useMailSettingsStore = defineStore('mail-settings', () => {
  /** undefined: not loaded yet; null: not configured. */
  const settings = ref<PublicDirectorMailSettings | null | undefined>();

  async function load() {
    settings.value = await mailSettingsApi.get();
  }

  async function save(input: DirectorMailSettingsUpdateInput) {
    settings.value = await mailSettingsApi.update(input);
  }

  /** With the stored settings, or with the form's `draft` before it is saved (nothing stored). */
  const sendTest = (to: string, draft?: DirectorMailSettingsUpdateInput) =>
    mailSettingsApi.sendTest(draft ? { to, draft } : { to });

  return { settings, load, save, sendTest };
});
