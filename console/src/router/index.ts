import { nextTick, ref } from 'vue';
import { createRouter, createWebHistory, type RouterHistory, type Router } from 'vue-router';
import { useSessionStore } from '../stores/session';
import LoginView from '../views/LoginView.vue';
import OverviewView from '../views/OverviewView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    title: string;
    /** Reachable without signing in. */
    public?: boolean;
  }
}

/** What the route announcer reads out after each navigation. */
export const routeAnnouncement = ref('');

export function createAppRouter(history: RouterHistory = createWebHistory('/')): Router {
  const router = createRouter({
    history,
    routes: [
      { path: '/login', name: 'login', component: LoginView, meta: { title: 'Sign in', public: true } },
      { path: '/', name: 'overview', component: OverviewView, meta: { title: 'Overview' } },
      { path: '/master-key', name: 'master-key', component: () => import('../views/MasterKeyView.vue'), meta: { title: 'Master Key Configuration' } },
      { path: '/services', name: 'services', component: () => import('../views/ServicesView.vue'), meta: { title: 'Services' } },
      {
        path: '/services/:serviceId',
        name: 'service',
        component: () => import('../views/ServiceDetailView.vue'),
        props: true,
        meta: { title: 'Service' },
      },
      { path: '/audit', name: 'audit', component: () => import('../views/AuditView.vue'), meta: { title: 'Audit log' } },
      { path: '/account', name: 'account', component: () => import('../views/AccountView.vue'), meta: { title: 'Your account' } },
      { path: '/usage', name: 'usage', component: () => import('../views/UsageView.vue'), meta: { title: 'Key usage' } },
      { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('../views/NotFoundView.vue'), meta: { title: 'Page not found' } },
    ],
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  });

  router.beforeEach((to) => {
    const session = useSessionStore();
    if (!to.meta.public && !session.isAuthenticated) {
      return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
    }
    if (to.name === 'login' && session.isAuthenticated) return { name: 'overview' };
    return true;
  });

  let first = true;
  router.afterEach(async (to, _from, failure) => {
    if (failure) return;
    const title = to.name === 'service' ? `Service ${String(to.params.serviceId)}` : to.meta.title;
    document.title = `${title} · OpenKCM`;
    // On first load the browser's own focus handling is right; after that, move focus to the
    // page's heading so keyboard and screen-reader users start at the new content.
    if (first) {
      first = false;
      return;
    }
    routeAnnouncement.value = `${title} page`;
    await nextTick();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const heading = document.getElementById('page-heading') ?? document.querySelector<HTMLElement>('main h1');
    if (heading) {
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  });

  return router;
}
