// Security Zones and actors: the lists every screen that picks actors reads. The actors list is
// kept live by the Director's actors stream while a screen needs it (enrolled, revoked, renamed,
// online and offline as they happen).
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import {
  applyActorsChange,
  type ActorListItem,
  type ActorsChange,
  type EnrollmentTokenCreate,
  type SecurityZone,
  type SecurityZoneCreate,
  type SecurityZoneRename,
} from '@email-profiles/core';
import { actorsApi, zonesApi } from './api';

export const useZonesActorsStore = defineStore('zones-actors', () => {
  const zones = ref<SecurityZone[]>([]);
  const actors = ref<ActorListItem[]>([]);
  const loaded = ref(false);
  /** The actors stream is open and has sent the whole list: `actors` is current. */
  const live = ref(false);
  let stop: (() => void) | undefined;
  let listeners = 0;

  const actorsById = computed(() => new Map(actors.value.map((actor) => [actor.id, actor])));

  async function load() {
    const [z, a] = await Promise.all([zonesApi.list(), actorsApi.list()]);
    zones.value = z;
    // A list read before the stream's latest change would undo it.
    if (!live.value) actors.value = a;
    loaded.value = true;
  }

  async function refreshActors() {
    const listed = await actorsApi.list();
    if (!live.value) actors.value = listed;
  }

  function apply(change: ActorsChange) {
    actors.value = applyActorsChange(actors.value, change);
    if (change.full) live.value = true;
  }

  /** Starts the live actors (shared by every screen that asks); returns the stop for this one. */
  function follow(): () => void {
    listeners += 1;
    stop ??= actorsApi.onChange({
      onData: apply,
      onError: () => {
        live.value = false;
      },
    });
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      listeners -= 1;
      if (listeners === 0) {
        stop?.();
        stop = undefined;
        live.value = false;
      }
    };
  }

  async function createZone(input: SecurityZoneCreate) {
    const zone = await zonesApi.create(input);
    zones.value = [...zones.value, zone];
    return zone;
  }

  async function renameZone(input: SecurityZoneRename) {
    const zone = await zonesApi.rename(input);
    zones.value = zones.value.map((z) => (z.id === zone.id ? zone : z));
    // Live, the stream brings the actors under the new name.
    await refreshActors();
  }

  async function deleteZone(id: string) {
    await zonesApi.remove(id);
    zones.value = zones.value.filter((zone) => zone.id !== id);
  }

  /** Revokes the actor; returns the profiles it was removed from (orphaned: left without any). */
  async function revokeActor(id: string) {
    const revoked = await actorsApi.revoke(id);
    actors.value = actors.value.filter((actor) => actor.id !== id);
    return revoked;
  }

  const issueToken = (input: EnrollmentTokenCreate) => actorsApi.createEnrollmentToken(input);

  return {
    zones,
    actors,
    loaded,
    live,
    actorsById,
    load,
    refreshActors,
    follow,
    createZone,
    renameZone,
    deleteZone,
    revokeActor,
    issueToken,
  };
});
