// Security Zones and actors: the lists every screen that picks actors reads.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type {
  ActorListItem,
  EnrollmentTokenCreate,
  SecurityZone,
  SecurityZoneCreate,
  SecurityZoneRename,
} from '@email-profiles/core';
import { actorsApi, zonesApi } from './api';

export const useZonesActorsStore = defineStore('zones-actors', () => {
  const zones = ref<SecurityZone[]>([]);
  const actors = ref<ActorListItem[]>([]);
  const loaded = ref(false);

  const actorsById = computed(() => new Map(actors.value.map((actor) => [actor.id, actor])));

  async function load() {
    const [z, a] = await Promise.all([zonesApi.list(), actorsApi.list()]);
    zones.value = z;
    actors.value = a;
    loaded.value = true;
  }

  async function refreshActors() {
    actors.value = await actorsApi.list();
  }

  async function createZone(input: SecurityZoneCreate) {
    const zone = await zonesApi.create(input);
    zones.value = [...zones.value, zone];
    return zone;
  }

  async function renameZone(input: SecurityZoneRename) {
    const zone = await zonesApi.rename(input);
    zones.value = zones.value.map((z) => (z.id === zone.id ? zone : z));
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
    actorsById,
    load,
    refreshActors,
    createZone,
    renameZone,
    deleteZone,
    revokeActor,
    issueToken,
  };
});
