import './zod-config';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { whenUnauthorized } from './api/client';
import App from './App.vue';
import { useSessionStore } from './features/auth/store';
import { router } from './router';
import './styles.css';

const app = createApp(App).use(createPinia()).use(router);
const session = useSessionStore();
whenUnauthorized(() => {
  if (!session.status?.user) return;
  session.expired();
  const current = router.currentRoute.value.fullPath;
  void router.replace({ name: 'login', query: { next: current } });
});
app.mount('#app');
