// Who is logged in, and whether the Director still needs its first administrator.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AdminSetup, AuthStatus, Login } from '@email-profiles/core';
import { authApi } from './api';

export const useSessionStore = defineStore('session', () => {
  const status = ref<AuthStatus | undefined>();

  async function refresh(): Promise<AuthStatus> {
    status.value = await authApi.status();
    return status.value;
  }

  async function setup(input: AdminSetup) {
    const user = await authApi.setup(input);
    status.value = { setupRequired: false, user };
  }

  async function login(input: Login) {
    const user = await authApi.login(input);
    status.value = { setupRequired: false, user };
  }

  async function logout() {
    await authApi.logout();
    status.value = { setupRequired: false, user: null };
  }

  /** After the server said UNAUTHORIZED (session expired): log in again. */
  function expired() {
    if (status.value) status.value = { ...status.value, user: null };
  }

  return { status, refresh, setup, login, logout, expired };
});
