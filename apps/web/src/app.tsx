import { ServerEvent } from '@realtime/contracts';

export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '4rem auto', padding: '0 1rem' }}>
      <h1>Realtime gateway</h1>
      <p>The gateway is running. The demo client arrives with the notification feed; it will listen for:</p>
      <ul>
        {Object.values(ServerEvent).map((name) => (
          <li key={name}>
            <code>{name}</code>
          </li>
        ))}
      </ul>
    </main>
  );
}
