import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { configureClient } from './api';
import { createAppRouter } from './router';
import { resetTenantData } from './stores/reset';
import { useSessionStore } from './stores/session';
import './styles/index.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
const router = createAppRouter();

const session = useSessionStore(pinia);

configureClient({
  getToken: () => session.token,
  // A 401 anywhere means the token is no longer accepted: back to the login page.
  onUnauthorized: () => {
    if (!session.isAuthenticated) return;
    session.end('unauthorized');
  },
});

// Whenever a session ends, forget the tenant's data and go to the login page.
session.$subscribe(() => {
  if (session.isAuthenticated) return;
  resetTenantData();
  const current = router.currentRoute.value;
  if (current.meta.public) return;
  // After an expiry or a 401, come back to where the administrator was.
  const comeBack = session.endReason !== 'signed-out' && current.fullPath !== '/';
  void router.replace({ name: 'login', query: comeBack ? { redirect: current.fullPath } : {} });
});

app.use(router);
app.mount('#app');
