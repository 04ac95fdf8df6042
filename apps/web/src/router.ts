// Routes, each screen loaded on demand; a guard sends visitors to first-run setup or login.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { useSessionStore } from './features/auth/store';

const routes: RouteRecordRaw[] = [
  { path: '/setup', name: 'setup', component: () => import('./features/auth/SetupView.vue') },
  { path: '/login', name: 'login', component: () => import('./features/auth/LoginView.vue') },
  {
    path: '/',
    component: () => import('./features/layout/AppShell.vue'),
    meta: { operator: true },
    children: [
      { path: '', redirect: { name: 'profiles' } },
      {
        path: 'settings/email',
        name: 'email-settings',
        component: () => import('./features/mail-settings/EmailSettingsView.vue'),
        meta: { title: 'Email Settings' },
      },
      {
        path: 'settings/email-actions',
        name: 'profiles',
        component: () => import('./features/profiles/ProfilesView.vue'),
        meta: { title: 'Email Profiles' },
      },
      {
        path: 'settings/email-actions/new',
        name: 'profile-new',
        component: () => import('./features/profiles/ProfileFormView.vue'),
        meta: { title: 'Add Email Profile' },
      },
      {
        path: 'settings/email-actions/:id/edit',
        name: 'profile-edit',
        component: () => import('./features/profiles/ProfileFormView.vue'),
        props: true,
        meta: { title: 'Edit Email Profile' },
      },
      {
        path: 'settings/email-actions/:id/history',
        name: 'profile-history',
        component: () => import('./features/health/ProfileHistoryView.vue'),
        props: true,
        meta: { title: 'Verification history' },
      },
      {
        path: 'settings/health',
        name: 'health-settings',
        component: () => import('./features/health/HealthSettingsView.vue'),
        meta: { title: 'Health & alerts' },
      },
      {
        path: 'settings/email-actions/:id/connectivity',
        name: 'connectivity',
        component: () => import('./features/diagnostics/ConnectivityView.vue'),
        props: true,
        meta: { title: 'Connectivity check' },
      },
      {
        path: 'settings/actors',
        name: 'actors',
        component: () => import('./features/zones-actors/ActorsView.vue'),
        meta: { title: 'Actors and Security Zones' },
      },
    ],
  },
  { path: '/:rest(.*)*', redirect: { name: 'profiles' } },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  // Back and Forward (e.g. between the profile form's steps) return to where the page was; a link
  // to a part of a screen (Email Settings#send-test) scrolls to it.
  scrollBehavior: (to, _from, saved) => saved ?? (to.hash ? { el: to.hash } : { top: 0 }),
});

router.beforeEach(async (to) => {
  const session = useSessionStore();
  const status = session.status ?? (await session.refresh());
  if (status.setupRequired) return to.name === 'setup' ? true : { name: 'setup' };
  if (to.name === 'setup') return { name: status.user ? 'profiles' : 'login' };
  if (!status.user && to.name !== 'login') {
    return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
  }
  if (status.user && to.name === 'login') return { name: 'profiles' };
  return true;
});

router.afterEach((to) => {
  const title = typeof to.meta.title === 'string' ? to.meta.title : undefined;
  document.title = title ? `${title} · Email Profiles` : 'Email Profiles';
});
