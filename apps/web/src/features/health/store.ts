// Mailbox health as the screens show it: the Director-wide settings (the default schedule decides
// which profiles are stale) and each profile's issues at this minute (core's profileHealth).
import {
  profileHealth,
  senderHealth,
  type HealthIssue,
  type HealthSettingsUpdateInput,
  type ProfileListItem,
  type PublicDirectorMailSettings,
  type PublicHealthSettings,
} from '@email-profiles/core';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { healthApi } from './api';

const MINUTE_MS = 60_000;

export const useHealthStore = defineStore('health', () => {
  const settings = ref<PublicHealthSettings>();
  const now = ref(Date.now());
  let timer: ReturnType<typeof setInterval> | undefined;
  let watchers = 0;

  async function load() {
    settings.value = await healthApi.settings();
  }

  async function save(input: HealthSettingsUpdateInput) {
    settings.value = await healthApi.saveSettings(input);
  }

  /** Keeps `now` current (expiry and staleness change with time) while a screen shows health. */
  function tickWhileShown(): () => void {
    watchers += 1;
    timer ??= setInterval(() => (now.value = Date.now()), MINUTE_MS);
    return () => {
      watchers -= 1;
      if (watchers === 0) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  }

  const defaultSchedule = computed(() => settings.value?.defaultSchedule ?? 'off');
  const issuesOf = (row: ProfileListItem): HealthIssue[] =>
    profileHealth(row, defaultSchedule.value, now.value);
  const senderIssuesOf = (mail: PublicDirectorMailSettings | null | undefined) =>
    mail ? senderHealth(mail, now.value) : [];

  return { settings, now, load, save, tickWhileShown, defaultSchedule, issuesOf, senderIssuesOf };
});
