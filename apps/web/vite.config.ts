import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// `pnpm dev` proxies the API to a Director on EMAIL_PROFILES_DIRECTOR (default localhost:8080).
export default defineConfig({
  plugins: [vue()],
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 200 },
  server: {
    proxy: { '/api': process.env.EMAIL_PROFILES_DIRECTOR ?? 'http://127.0.0.1:8080' },
  },
});
