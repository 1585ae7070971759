import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In `pnpm dev` the page runs on Vite and reaches the gateway through this proxy; `pnpm start` serves the build from the gateway itself.
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      '/api': gateway,
      '/socket.io': { target: gateway, ws: true },
    },
  },
});
