import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { registerServiceWorker } from './push/service-worker.js';
import './styles/base.css';
import './styles/layout.css';
import './styles/sign-in.css';
import './styles/components.css';
import './styles/feed.css';
import './styles/panels.css';
import './styles/preferences.css';
import './styles/mailbox.css';
import './styles/toasts.css';

// Shows pushes while no tab is open; the settings' device switch subscribes through it.
void registerServiceWorker();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
