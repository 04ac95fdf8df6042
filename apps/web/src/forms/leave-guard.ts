// Asks before a changed form is left: by the app's navigation (its links, Cancel, the browser's
// Back) with a confirm, and by closing or reloading the tab with the browser's own prompt.
import { inject, onBeforeUnmount, onMounted } from 'vue';
import { matchedRouteKey, onBeforeRouteLeave } from 'vue-router';

export const LEAVE_QUESTION = 'Leave this page? Your changes are not saved.';

export function useLeaveGuard(changed: () => boolean) {
  // Only a component on a route has route leaves to guard (not one mounted alone by a test).
  if (inject(matchedRouteKey, null)?.value) {
    onBeforeRouteLeave(() => !changed() || window.confirm(LEAVE_QUESTION));
  }
  const onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (changed()) event.preventDefault();
  };
  onMounted(() => {
    window.addEventListener('beforeunload', onBeforeUnload);
  });
  onBeforeUnmount(() => {
    window.removeEventListener('beforeunload', onBeforeUnload);
  });
}
